"""The vocabulary every layer shares: paths and settings, the policy, periods and quarters, units, scope,
masking, statistics and the helpers that run SQL. Imports nothing else of the engine."""
