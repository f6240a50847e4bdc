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


SCALES = {"zh": ((YI, "亿元"), (WAN, "万元"), (1, "元")), "en": ((YI, "100M CNY"), (WAN, "10k CNY"), (1, "CNY"))}


def scale(amount: float | Decimal | None, lang: str = "zh") -> tuple[float, str]:
    """The divisor and unit an amount of this size reads best in: 亿元 from 1亿, 万元 from 1万, else 元
    (in English 100M CNY, 10k CNY, CNY). A chart axis passes its largest absolute value."""
    size = 0.0 if _missing(amount) else abs(float(amount))
    return next((divisor, unit) for divisor, unit in SCALES[lang] if size >= divisor or divisor == 1)


def amount(value: float | Decimal | None, lang: str = "zh", digits: int = 2) -> str:
    """One figure at its own scale with its unit: 929.87万元, 1.23亿元, 850元; in English CNY with separators
    (CNY 9,298,740), never 万 or 亿."""
    if _missing(value):
        return "—"
    if lang == "en":
        return f"CNY {float(value):,.0f}"
    divisor, unit = scale(value, lang)
    return f"{float(value) / divisor:,.{digits if divisor > 1 else 0}f}{unit}"


def card_amount(
    value: float | Decimal | None, change: float | Decimal | None, lang: str = "zh"
) -> tuple[str, str | None, str]:
    """A metric card's amount, its change and the unit its label carries: in Chinese each figure at its own
    scale with its unit (72.84亿元, +7,438.24万元; label unit ""); in English the value's scale in the label,
    as the axes say it (AUM (100M CNY): 72.84, +0.74), so that a bank's AUM fits a card."""
    if lang == "zh":
        return amount(value, lang), signed_amount(change, lang), ""
    divisor, unit = scale(value, lang)
    digits = 2 if divisor > 1 else 0
    shown = "—" if _missing(value) else f"{float(value) / divisor:,.{digits}f}"
    if _missing(change):
        return shown, None, unit
    moved = f"{abs(float(change)) / divisor:,.{digits}f}"
    return shown, "0" if _rounds_to_zero(moved) else ("+" if float(change) > 0 else "-") + moved, unit


def _rounds_to_zero(text: str) -> bool:
    return not re.search(r"[1-9]", text)


def signed_amount(change: float | Decimal | None, lang: str = "zh") -> str | None:
    """A change of an amount at its own scale with a sign (+12.34万元, -850元); a change that shows as zero is
    "0", unsigned."""
    if _missing(change):
        return None
    text = amount(abs(float(change)), lang)
    if _rounds_to_zero(text):
        return "0"
    return ("+" if float(change) > 0 else "-") + text  # ASCII minus: st.metric reads the direction from it


def signed_whole(value: float | int | None) -> str | None:
    """A change of a count: +12, -3, and 0 without a sign."""
    if _missing(value):
        return None
    number = round(float(value))
    return "0" if number == 0 else f"{number:+,}"


def signed_pp(change: float | None) -> str | None:
    """A change of a rate in percentage points (+0.52pp); one that shows as 0.00pp is "0.00pp", unsigned."""
    if _missing(change):
        return None
    text = f"{abs(float(change)) * 100:.2f}pp"
    return text if _rounds_to_zero(text) else ("+" if change > 0 else "-") + text


def arrow(delta: str | None) -> str:
    """st.metric's delta_arrow for a delta text: none on a zero change."""
    return "off" if delta is None or _rounds_to_zero(delta) else "auto"


def band_floor(value: float | Decimal, lang: str = "zh") -> str:
    """A band's lower bound as a banker says it: ≥1万 in Chinese, ≥10k / ≥2M CNY in English."""
    if lang == "zh":
        return f"≥{bound(value)}"
    number = float(value)
    for divisor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if abs(number) >= divisor:
            return f"≥{number / divisor:,.4g}{suffix} CNY"
    return f"≥{number:,.0f} CNY"
