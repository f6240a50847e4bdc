"""How amounts, rates and periods read to a Chinese banker: 万元 / 亿元 with separators, 2026Q3."""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal

from analytics.core.periods import Quarter

WAN = 10_000
YI = 100_000_000


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def wan(amount: float | Decimal | None, digits: int = 2) -> str:
    """CNY as 万元: 12,345.67万."""
    if _missing(amount):
        return "—"
    return f"{float(amount) / WAN:,.{digits}f}万"


def yi(amount: float | Decimal | None, digits: int = 2) -> str:
    """CNY as 亿元: 1.23亿."""
    if _missing(amount):
        return "—"
    return f"{float(amount) / YI:,.{digits}f}亿"


def money(amount: float | Decimal | None) -> str:
    """亿元 from 1亿 up, 万元 below."""
    if _missing(amount):
        return "—"
    return yi(amount) if abs(float(amount)) >= YI else wan(amount)


def count(value: float | int | None) -> str:
    return "—" if _missing(value) else f"{int(value):,}"


def percent(rate: float | None, digits: int = 2) -> str:
    """A rate as a percentage; an undefined rate (denominator 0) is shown as —, never 0%."""
    return "—" if _missing(rate) else f"{float(rate) * 100:.{digits}f}%"


def quarter(period: date) -> str:
    return str(Quarter.of(period))


def month(period: date) -> str:
    return f"{period.year}-{period.month:02d}"


def is_quarter_end(period: date) -> bool:
    return period == Quarter.of(period).end()


def period(day: date) -> str:
    """A month end as its quarter (2026Q3) when it ends a quarter, else as its month (2026-08)."""
    return quarter(day) if is_quarter_end(day) else month(day)


def signed_count(value: float | int | None) -> str | None:
    return None if _missing(value) else f"{int(value):+,}"


def signed_points(change: float | None) -> str | None:
    """A change of a rate in percentage points: +0.52pp."""
    return None if _missing(change) else f"{float(change) * 100:+.2f}pp"


def signed_yi(amount: float | Decimal | None) -> str | None:
    return None if _missing(amount) else f"{float(amount) / YI:+,.2f}亿"


def bound(amount: float | Decimal) -> str:
    """A band bound as a banker says it: 100元, 1,000元, 1万, 5万, 200万."""
    value = float(amount)
    return f"{value:,.0f}元" if abs(value) < WAN else f"{value / WAN:,.4g}万"


MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")
ZERO_WIDTH = "\u200b"


def plain(text: object) -> str:
    """Text from an extract or a user (a branch name, a file name, a typed customer number) as Streamlit's markdown
    shows it, letter for letter: markdown characters escaped, and a zero-width space after every colon and @ and
    inside www, so that no link, image, icon (:material/...:), colour or e-mail address can be made of it."""
    escaped = MARKDOWN.sub(r"\\\1", str(text))
    return (
        escaped.replace(":", ":" + ZERO_WIDTH)
        .replace("@", "@" + ZERO_WIDTH)
        .replace("www", "w" + ZERO_WIDTH + "ww")
        .replace("WWW", "W" + ZERO_WIDTH + "WW")
    )
