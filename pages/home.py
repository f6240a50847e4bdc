"""Home: what is loaded — periods, customers, AUM."""
from __future__ import annotations

import streamlit as st

from analytics.catalog import loaded_periods
from ui import format as fmt
from ui.connection import database_path, get_connection

st.title("客户分层分析 · Tier analytics")
con = get_connection()
periods = loaded_periods(con) if con is not None else None
if periods is None or periods.empty:
    st.info(f"尚未加载数据 No data loaded yet ({database_path()}). 运行 `make demo` 或 `python -m analytics load FILE` 加载。")
    st.stop()
latest = periods.iloc[-1]
cols = st.columns(4)
cols[0].metric("数据期数 Periods", f"{len(periods)}", help=f"{fmt.month(periods.period.iloc[0])} – {fmt.month(latest.period)}")
cols[1].metric("客户数 Customers", fmt.count(latest.customers), help="期末在册客户（未销户）")
cols[2].metric("维护客户 Maintained", fmt.count(latest.maintained), help="层级不低于政策 maintained_from 的客户")
cols[3].metric("金融资产 AUM", fmt.money(latest.aum), help="期末个人金融资产合计")
table = periods.assign(period=periods.period.map(fmt.month), aum=periods.aum.map(fmt.money))
st.dataframe(table, hide_index=True)
