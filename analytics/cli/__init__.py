"""The command line: python -m analytics demo|load|report|targets|users|audit|warehouse."""
