"""`make serve`: the dashboard behind nginx with one Streamlit process per core (python -m tools.serve)."""
