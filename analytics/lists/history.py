"""One customer's rows over every loaded month end within the scope: the tier path, AUM and maintainer."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.core.masking import mask_personal
from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.store.schema import PERSON


def customer_history(
    con: duckdb.DuckDBPyConnection, customer_id: str, scope: Scope, reveal: bool = False
) -> pd.DataFrame:
    """One customer's rows over every loaded period within the scope: AUM, tier path, card level, maintainer.

    口径: one row per loaded month end where the customer has a row in a branch / with a manager the scope
    covers; tier is null on a closed row (a closed customer has no tier). Returns columns: period,
    customer_id, customer_name, id_number, phone, branch_id, branch_name, manager_id, manager_name, card_level,
    status, tier, tier_rank, aum, product_count.
    """
    condition, params = scope.sql("c")
    params["customer"] = str(customer_id)
    person = ", ".join(f"c.{column}" for column in PERSON)
    frame = fetch(
        con,
        f"""
        with final as (
            select c.period, {person}, c.status, d.code as tier, c.tier as tier_rank, c.aum, c.product_count
            from customer_snapshot c left join tier_def d on d.rank = c.tier
            where c.customer_id = $customer and {condition}
        )
        select * from final order by period
    """,
        params,
    )
    return mask_personal(frame, reveal)
