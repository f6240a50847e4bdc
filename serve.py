"""The dashboard's server (`make run`; `make serve` runs one per core): Streamlit's ASGI app over app.py, warmed
at its start and answering its pages' addresses with a base URL (ui/startup.py). Tests and the benchmark run
app.py itself through AppTest."""

import streamlit as st

from ui.startup import lifespan, page_routes

app = st.App("app.py", lifespan=lifespan, routes=page_routes())
