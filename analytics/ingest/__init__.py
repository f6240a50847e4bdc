"""Extract files to validated rows: readers (CSV in any accepted encoding, Parquet, XLSX), the cell rules and
the validation that stages a file's rows in DuckDB or reports every problem."""
