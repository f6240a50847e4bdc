"""The numbers the pages and reports show, read from the store: one job per module."""
