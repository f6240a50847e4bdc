"""The DuckDB store: schema, connection, generations (copy-and-swap), the policy recorded in it, what is
loaded, the derived summary tables and the load transaction that writes a validated extract."""
