"""The load test (`python -m tools.load_test`): concurrent signed-in sessions on the real dashboard server, no browser."""
