"""客户查询 Explorer: ad-hoc filters over the as-of period's customers (masked), a paged table, and a chosen
customer's AUM history and tier path. A user with the pii permission may reveal that one customer's name, ID
number and phone (recorded in the audit trail); nothing else on any page is ever unmasked."""

from __future__ import annotations

import streamlit as st

from analytics.access.roles import can_reveal_pii
from analytics.core.config import followup_path
from analytics.core.policy_rules import CARD_LEVELS, PREFERENCES, RELATIONSHIPS, RULE_BITS
from analytics.followup.log import last_contacts
from analytics.ingest.columns import PRODUCTS
from analytics.lists.explorer import AGE_BANDS, CustomerFilter, find_customers
from analytics.lists.history import customer_history
from ui import audit_trail, auth, charts
from ui import format as fmt
from ui.columns import tier_names
from ui.connection import get_connection
from ui.data import query
from ui.exports import context
from ui.i18n import column, lang, t
from ui.kouji import meaning
from ui.page_start import start_page
from ui.tables import download, download_query, policy, selected_row, table
from ui.widgets import PAGE_SIZE, choice, labelled, pager, translated

SORTS = ("aum", "change_rate", "aum_change", "age", "product_count")
GENDERS = ("F", "M")  # as ingest stores them (男/女/male/... mapped at load)
CONTACTED = ("any", "yes", "no")  # last contact in the follow-up log on or after the date chosen, or not


def _any_of(where, label: str, options, prefix: str, key: str) -> list[str]:
    """A multiselect in the URL of `options` shown as their labels `prefix`.<code> (none chosen: no condition)."""
    codes = list(options)
    return where.multiselect(
        t(label),
        codes,
        format_func=labelled(codes, lambda code: t(f"{prefix}.{code}")),
        key=translated(key),
        bind="query-params",
        placeholder=t("any"),
    )


view = start_page("ex.title")
names = tier_names(policy(), lang())
codes = [tier.code for tier in policy().tiers]

with st.container(border=True):
    a, b, c, d = st.columns(4)
    tiers = a.multiselect(
        t("ex.tiers"),
        codes,
        format_func=labelled(codes, names.get),
        key=translated("tiers"),
        bind="query-params",
        placeholder=t("any"),
    )
    cards = _any_of(b, "ex.cards", CARD_LEVELS, "card", "cards")
    age = choice(
        t("ex.age"), ["any", *AGE_BANDS], "age", lambda band: t(f"age.{band}" if band != "any" else "any"), where=c
    )
    products = d.slider(t("ex.products"), 0, 10, (0, 10), key="products", bind="query-params")
    a, b, c, d = st.columns(4)
    aum_min = a.number_input(t("ex.aum_min"), min_value=0.0, value=0.0, step=5.0, key="aum_min", bind="query-params")
    aum_max = b.number_input(t("ex.aum_max"), min_value=0.0, value=0.0, step=5.0, key="aum_max", bind="query-params")
    months = c.selectbox(
        t("ex.change_months"),
        [0, 1, 3, 6, 12],
        key="months",
        bind="query-params",
        format_func=labelled([0, 1, 3, 6, 12], lambda m: t("any") if m == 0 else t("ch.months_label", n=m)),
    )
    change = d.slider(
        t("ex.change"), -100, 200, (-100, 200), step=5, key="change", bind="query-params", disabled=months == 0
    )
    a, b, c, _ = st.columns(4)
    relationships = _any_of(a, "ex.relationships", RELATIONSHIPS, "rel", "relationships")
    preferences = _any_of(b, "ex.preferences", PREFERENCES, "pref", "preferences")
    maintained_only = c.toggle(t("ex.maintained_only"), key="maintained", bind="query-params")
    a, b, c, d = st.columns(4)
    gender = choice(
        t("ex.gender"), ["any", *GENDERS], "gender", lambda g: t(f"gender.{g}" if g != "any" else "any"), where=a
    )
    holds = _any_of(b, "ex.holds", PRODUCTS, "product", "holds")
    lacks = _any_of(c, "ex.lacks", PRODUCTS, "product", "lacks")
    rules = _any_of(d, "ex.maintained_by", RULE_BITS, "rule", "rules")
    a, b, _, _ = st.columns(4)
    contacted = choice(t("ex.contacted"), list(CONTACTED), "contacted", lambda c: t(f"ex.contacted.{c}"), where=a)
    since = b.date_input(
        t("ex.contacted_since"),
        value=view.end,
        key="since",
        bind="query-params",
        format="YYYY-MM-DD",
        disabled=contacted == "any",
    )

where = CustomerFilter(
    tiers=tuple(tiers) or None,
    cards=tuple(cards) or None,
    age_min=AGE_BANDS[age][0] if age != "any" else None,
    age_max=AGE_BANDS[age][1] if age != "any" else None,
    aum_min=aum_min * fmt.WAN if aum_min else None,
    aum_max=aum_max * fmt.WAN if aum_max else None,
    products_min=products[0] or None,
    products_max=products[1] if products[1] < 10 else None,
    change_months=months or None,
    change_min=change[0] / 100 if months and change[0] > -100 else None,
    change_max=change[1] / 100 if months and change[1] < 200 else None,
    relationships=tuple(relationships) or None,
    preferences=tuple(preferences) or None,
    maintained_only=maintained_only,
    gender=gender if gender != "any" else None,
    holds=tuple(holds) or None,
    lacks=tuple(lacks) or None,
    maintained_by=tuple(rules) or None,
    contacted=None if contacted == "any" else contacted == "yes",
    contacted_since=since if contacted != "any" else None,
)
# the follow-up log is read only when a filter asks for it (the other lists keep their cached answers)
contacts = {"contacts": last_contacts(followup_path())} if where.contacted is not None else {}


def _filters() -> dict[str, object]:
    """The filters set, as their labels and the values shown (for the download's name and first sheet)."""
    chosen = {
        t("ex.tiers"): [names.get(c, c) for c in tiers],
        t("ex.cards"): [t(f"card.{c}") for c in cards],
        t("ex.age"): t(f"age.{age}") if age != "any" else None,
        t("ex.aum_min"): aum_min or None,
        t("ex.aum_max"): aum_max or None,
        t("ex.products"): f"{products[0]}-{products[1]}" if products != (0, 10) else None,
        t("ex.change_months"): months or None,
        t("ex.change"): f"{change[0]}%..{change[1]}%" if months and change != (-100, 200) else None,
        t("ex.relationships"): [t(f"rel.{c}") for c in relationships],
        t("ex.preferences"): [t(f"pref.{c}") for c in preferences],
        t("ex.maintained_only"): t("flag.yes") if maintained_only else None,
        t("ex.gender"): t(f"gender.{gender}") if gender != "any" else None,
        t("ex.holds"): [t(f"product.{p}") for p in holds],
        t("ex.lacks"): [t(f"product.{p}") for p in lacks],
        t("ex.maintained_by"): [t(f"rule.{r}") for r in rules],
        t("ex.contacted"): f"{t(f'ex.contacted.{contacted}')} {since}" if contacted != "any" else None,
    }
    return chosen | {t("ex.sort"): f"{column(sort)} {'↓' if descending else '↑'}"}


left, right = st.columns([3, 1])
sort = choice(t("ex.sort"), list(SORTS), "sort", column, where=left)
descending = right.toggle(t("ex.desc"), value=True, key="desc", bind="query-params")

st.subheader(f"{t('ex.title')} · {fmt.month(view.end)}", help=meaning(find_customers))
try:
    total = query(find_customers, view.end, view.scope, where, limit=0, **contacts).attrs["total_rows"]
except ValueError:  # the period k months earlier is not loaded
    st.info(t("months_not_loaded"), icon=":material/info:")
    st.stop()
offset = pager(total, "page")
rows = query(find_customers, view.end, view.scope, where, sort, descending, PAGE_SIZE, offset, **contacts)
picked = selected_row(table(rows, "customers_table", select=True, height=420), len(rows))
name, about = context("ex.title", t("ex.title"), _filters(), fmt.month(view.end))
download_query(
    find_customers,
    (view.end, view.scope, where, sort, descending),
    {"limit": None, **contacts},
    t("ex.title"),
    name,
    about,
)

customer = st.text_input(t("ex.customer"), key="customer", bind="query-params", width=240)
if picked is not None:
    customer = rows.iloc[picked]["customer_id"]
if audit_trail.revealed() != customer:  # a reveal holds for the customer it was asked for only
    audit_trail.forget_reveal()
if not customer:
    st.caption(t("ex.pick"))
    st.stop()
path = query(customer_history, customer, view.scope)
if path.empty:
    st.info(t("nothing"))
    st.stop()
shown = path.assign(
    aum_wan=path["aum"].astype(float) / fmt.WAN,
    tier_name=[names.get(code, "—") if isinstance(code, str) else "—" for code in path["tier"]],
)
st.subheader(t("ex.history", customer=fmt.plain(customer)), help=meaning(customer_history))
st.plotly_chart(
    charts.history(shown, ["—", *[names[c] for c in codes]], "", column("aum"), column("tier")), key="chart_history"
)
table(path, "history_table", height=300)
name, about = context("ex.title", t("ex.customer"), {t("ex.customer"): customer}, fmt.month(view.end))
download([(t("ex.customer"), path)], name, about)

user = auth.current_user()
if can_reveal_pii(user):
    if st.button(t("ex.reveal"), key="reveal", icon=":material/visibility:"):
        audit_trail.reveal(customer, user)  # audited before anything is shown
    if audit_trail.revealed() == customer:
        # read directly, not through the cache: personal data is kept nowhere
        person = customer_history(get_connection(), customer, view.scope, reveal=True).iloc[-1]
        with st.container(border=True, key="revealed"):
            st.markdown(f"**{t('ex.revealed', customer=fmt.plain(customer))}**")
            st.table({column(c): [person[c]] for c in ("customer_name", "id_number", "phone")})
