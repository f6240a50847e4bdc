"""The test suite: a package, so that `from tests.helpers.x import ...` works from the project root."""
