"""What serves development, not users: the demo-bank generator, the benchmark, the load test, page timing.
Nothing in the product imports these; the product runs the demo-bank generator as a program."""
