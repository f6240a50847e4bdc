"""The derived (summary) tables built inside the load transaction, and the SQL that builds them, which the
metrics also run live for pairs or scopes that were not kept."""
