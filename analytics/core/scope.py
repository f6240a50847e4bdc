"""Which customers a user may see: applied in SQL by every analytics function (docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Scope:
    """None means no restriction on that key; an empty set means nothing is visible."""

    branches: frozenset[str] | None = None
    managers: frozenset[str] | None = None

    @classmethod
    def nothing(cls) -> Scope:
        return cls(branches=frozenset())

    def sql(self, alias: str = "") -> tuple[str, dict[str, Any]]:
        """A condition on branch_id / manager_id and its named parameters ($scope_branches, $scope_managers)."""
        prefix = f"{alias}." if alias else ""
        conditions, params = ["true"], {}
        if self.branches is not None:
            conditions.append(f"{prefix}branch_id in (select unnest($scope_branches::varchar[]))")
            params["scope_branches"] = sorted(self.branches)
        if self.managers is not None:
            conditions.append(f"{prefix}manager_id in (select unnest($scope_managers::varchar[]))")
            params["scope_managers"] = sorted(self.managers)
        return " and ".join(conditions), params
