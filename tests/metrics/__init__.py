"""The metrics and lists on the hand-made fixture bank of tests/data, on random banks, and on real public data."""
