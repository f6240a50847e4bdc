"""Who sees what: users, roles resolved to a scope, a unit as a scope, and the audit trail."""
