"""The dashboard's pages run with Streamlit's AppTest on the demo bank: numbers, sign-in, roles, injection."""
