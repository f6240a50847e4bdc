"""One module of the engine, the command line or the tools at a time, on small hand-written data."""
