"""Periods (month-end snapshots) and quarters: parsing, formatting, and the snapshots a quarter compares.

A quarter's start snapshot is the last loaded period of the previous quarter, its end snapshot the last loaded
period of the quarter (docs/metrics.md). A quarter is complete when those are the two quarter-end month ends.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The month end `months` months after (or before, when negative) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return month_end(date(index // 12, index % 12 + 1, 1))


def months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def parse_period(value: date | datetime | str) -> date:
    """A month end from a date, '2026-09-30', '2026/9/30', '20260930' or '2026-09' (the month's end)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        if m := re.fullmatch(r"(\d{4})[-/.]?(\d{1,2})", text):
            return month_end(date(int(m[1]), int(m[2]), 1))
        m = re.fullmatch(r"(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})", text)
        if not m:
            raise ValueError(f"{value!r} is not a period (use 2026-09-30 or 2026-09)")
        day = date(int(m[1]), int(m[2]), int(m[3]))
    if day != month_end(day):
        raise ValueError(f"{day.isoformat()} is not a month end")
    return day


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, value: Quarter | str) -> Quarter:
        """'2026Q3', '2026-Q3' or '2026q3'."""
        if isinstance(value, Quarter):
            return value
        m = re.fullmatch(r"(\d{4})\s*-?\s*[Qq]([1-4])", str(value).strip())
        if not m:
            raise ValueError(f"{value!r} is not a quarter (use 2026Q3)")
        return cls(int(m[1]), int(m[2]))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def ordinal(self) -> int:
        return self.year * 4 + self.number - 1

    def shift(self, quarters: int) -> Quarter:
        index = self.ordinal + quarters
        return Quarter(index // 4, index % 4 + 1)

    def previous(self) -> Quarter:
        return self.shift(-1)

    def end(self) -> date:
        """The quarter's last month end (e.g. 2026-09-30 for 2026Q3)."""
        return month_end(date(self.year, self.number * 3, 1))

    def start(self) -> date:
        """The previous quarter's last month end: the snapshot the quarter is compared from."""
        return self.previous().end()

    def contains(self, day: date) -> bool:
        return Quarter.of(day) == self


def require_period(periods: list[date], value: date | str) -> date:
    day = parse_period(value)
    if day not in periods:
        shown = ", ".join(p.isoformat() for p in periods[-6:]) or "none"
        raise ValueError(f"period {day.isoformat()} is not loaded (latest loaded: {shown})")
    return day


def quarter_snapshots(periods: list[date], quarter: Quarter | str) -> tuple[date, date]:
    """(start, end): the last loaded period of the previous quarter and of the quarter itself."""
    quarter = Quarter.parse(quarter)
    start = [p for p in periods if quarter.previous().contains(p)]
    end = [p for p in periods if quarter.contains(p)]
    if not start or not end:
        missing = quarter.previous() if not start else quarter
        raise ValueError(f"quarter {quarter} needs a loaded period in {missing}")
    return start[-1], end[-1]


def is_complete(periods: list[date], quarter: Quarter) -> bool:
    return quarter.start() in periods and quarter.end() in periods


def latest_complete_quarter(periods: list[date]) -> Quarter:
    """The latest quarter whose own and previous quarter-end month ends are both loaded."""
    for day in sorted(periods, reverse=True):
        quarter = Quarter.of(day)
        if day == quarter.end() and is_complete(periods, quarter):
            return quarter
    raise ValueError("no complete quarter loaded (needs two consecutive quarter-end month ends)")


def latest_quarter_snapshots(periods: list[date]) -> tuple[date, date]:
    """The latest quarter to date: (last period of the previous quarter, latest loaded period)."""
    if not periods:
        raise ValueError("no period loaded")
    latest = max(periods)
    try:
        return quarter_snapshots(periods, Quarter.of(latest))
    except ValueError:
        raise ValueError(
            f"no period loaded in {Quarter.of(latest).previous()} to compare "
            f"{latest.isoformat()} with: give the start and end periods"
        ) from None


def quarter_ends(periods: list[date]) -> list[date]:
    """The quarter-end month ends among the loaded periods."""
    return [p for p in periods if p == Quarter.of(p).end()]


def comparable_quarters(periods: list[date]) -> list[Quarter]:
    """Quarters that can be compared (a loaded period in the quarter and in the previous one), newest first."""
    found = []
    for quarter in sorted({Quarter.of(p) for p in periods}, reverse=True):
        try:
            quarter_snapshots(periods, quarter)
        except ValueError:
            continue
        found.append(quarter)
    return found
