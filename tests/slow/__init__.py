"""End-to-end runs: a real Streamlit server (with a browser, or driven over its websocket) and the benchmark."""
