"""Masking of personal data wherever it is shown, exported or logged: ID 110***********1234, phone 138****5678,
name 张*, address 北京市海淀区*****, employer 华为****."""

from __future__ import annotations

import pandas as pd

PERSONAL_DATA = ("customer_name", "id_number", "phone", "address", "employer")  # masked unless revealed


def _keep_ends(value: str | None, head: int = 3, tail: int = 4) -> str | None:
    if not value:
        return value
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def mask_id_number(value: str | None) -> str | None:
    return _keep_ends(value)


def mask_phone(value: str | None) -> str | None:
    return _keep_ends(value)


def mask_name(value: str | None) -> str | None:
    if not value:
        return value
    return value[0] + "*" * max(len(value) - 1, 1)


def mask_address(value: str | None) -> str | None:
    """The first six characters (province, city, district) stay; the street and number do not."""
    if not value:
        return value
    return value[:6] + "*" * max(len(value) - 6, 4)


def mask_employer(value: str | None) -> str | None:
    if not value:
        return value
    return value[:2] + "*" * max(len(value) - 2, 2)


MASKS = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "customer_name": mask_name,
    "address": mask_address,
    "employer": mask_employer,
}


def mask_value(column: str, value: str | None) -> str | None:
    """The value as it may be shown or logged: masked when the column holds personal data."""
    mask = MASKS.get(column)
    return mask(value) if mask else value


def mask_personal(frame: pd.DataFrame, reveal: bool) -> pd.DataFrame:
    """Names, ID numbers, phones, addresses and employers masked unless the caller may and does reveal them."""
    if reveal:
        return frame
    masked = frame.copy()
    for column in PERSONAL_DATA:
        if column in masked:
            masked[column] = masked[column].map(lambda v, c=column: mask_value(c, v) if isinstance(v, str) else v)
    return masked
