"""One page of a customer list: sorted by an allowed column, counted, and masked unless revealed."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.core.masking import PERSONAL_DATA, mask_personal
from analytics.core.sql import fetch


def page_of_customers(
    con: duckdb.DuckDBPyConnection,
    ctes: str,
    params: dict,
    columns: tuple[str, ...],
    sort_by: str,
    descending: bool,
    limit: int | None,
    offset: int,
    reveal: bool,
    total_sql: str | None = None,
) -> pd.DataFrame:
    """Rows of the CTE chain's `final`, sorted and paged in SQL; attrs["total_rows"] holds the full count (of
    `final`, or the `n` of `total_sql` when the chain holds only the first pages).

    Sorting by a personal-data column is refused: the order would reveal what the mask hides.
    """
    if sort_by not in columns or sort_by in PERSONAL_DATA:
        raise ValueError(f"cannot sort by {sort_by!r}")
    direction = "desc" if descending else "asc"
    params = params | {"limit": limit, "offset": offset}
    # the count runs on its own: a count(*) over () beside the page would materialise every matching row
    if limit == 0:  # only the count is asked for
        frame = pd.DataFrame(columns=list(columns))
    else:
        frame = fetch(
            con,
            f"""{ctes}
            select {", ".join(columns)} from final
            order by {sort_by} {direction} nulls last, customer_id
            limit $limit offset $offset
        """,
            params,
        )
    total = int(fetch(con, total_sql or f"{ctes} select count(*) as n from final", params)["n"].iloc[0])
    frame = mask_personal(frame, reveal)
    frame.attrs["total_rows"] = total
    return frame
