"""The load test (`python -m tools.load_test`): concurrent sessions on the real dashboard server, no browser."""
