"""The command line: python -m analytics demo|load|report|users|audit."""
