"""The dashboard's pages: one thin script each, run by app.py's router (st.navigation). Nothing imports them."""
