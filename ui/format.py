"""How amounts, rates and periods read to a Chinese banker: 万元 / 亿元 with separators, 2026Q3."""
from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

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
    return f"{period.year}Q{(period.month - 1) // 3 + 1}"


def month(period: date) -> str:
    return f"{period.year}-{period.month:02d}"
