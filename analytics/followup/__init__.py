"""The follow-up log: contacts with customers, kept in a SQLite file of its own that loads never replace."""
