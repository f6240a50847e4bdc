"""What a download says about itself: a file name carrying the page, the table, the unit, the period and the
filters, and the rows block (查询条件 / Filters) that opens its workbook, both in the chosen language."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ui import format as fmt
from ui import i18n
from ui.session import current_user, view

UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def _safe(part: object) -> str:
    return UNSAFE.sub("-", str(part)).strip("-")


def context(
    page_key: str, what: str, filters: dict[str, object] | None = None, period: str | None = None
) -> tuple[str, list[tuple[str, str]]]:
    """(file name without extension, rows block) of a download of table `what` from the page titled by
    `page_key`, for the sidebar's unit and period (or `period`) and the page's `filters` (label -> value shown)."""
    current, user = view(), current_user()
    own = "+".join(user.units) if user is not None and user.role != "hq" and user.units else None
    unit = current.unit or own or i18n.t("level.all")  # a manager's download names their book, not 全行
    unit_label = current.unit_label or own or i18n.t("level.all")
    when = period or current.quarter or (fmt.period(current.end) if current.end else "—")
    shown = {label: value for label, value in (filters or {}).items() if value not in (None, "", [], ())}
    parts = [i18n.t(page_key), what, unit, when, *shown.values()]
    name = "_".join(p for p in (_safe(x) for x in parts) if p)[:150]
    rows = [
        (i18n.t("about.page"), i18n.t(page_key)),
        (i18n.t("about.table"), what),
        (i18n.t("about.unit"), unit_label if unit_label == unit else f"{unit} {unit_label}"),
        (i18n.t("about.period"), when),
        *[(label, _text(value)) for label, value in shown.items()],
        (i18n.t("about.user"), user.username if user else "—"),
        (i18n.t("about.made"), datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]
    return name, rows


def _text(value: object) -> str:
    if isinstance(value, (list, tuple, set)):
        return ("、" if i18n.lang() == "zh" else ", ").join(str(v) for v in value)
    return str(value)
