"""Hostile strings for the injection tests, and what must stay as it was after each: the database's bytes and
the absence of the files a payload tries to write."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

LONG = ("' OR 1=1; -- " * 7_900)[:100_000]  # 100 KB


PAYLOADS: dict[str, str] = {
    "quote": "'",
    "double_quote": '"',
    "semicolon": ";",
    "line_comment": "x' -- ",
    "block_comment": "/* */ x /*",
    "drop_table": "'; drop table customer_snapshot; --",
    "copy_to": "'; COPY customer_snapshot TO '/tmp/pwned.csv'; --",
    "copy_bare": "COPY customer_snapshot TO '/tmp/pwned.csv'",
    "read_csv": "read_csv('/etc/passwd')",
    "union_read_text": "' UNION SELECT * FROM read_text('/etc/passwd') --",
    "attach": "'; ATTACH '/tmp/x.db' AS x; --",
    "dollar_param": "$1",
    "qmark": "?",
    "format_braces": "{x}{0}{error}{0.__class__.__mro__}",
    "percent_s": "%s %d %(x)s %27%3B%20--%00",
    "nul": "\x00",
    "escaped_nul": "\\x00",
    "long_100k": LONG,
    "fullwidth_quote": "＇ OR ＇1＇=＇1",
    "rtl_override": "\u202e'; --",
    "zero_width_joiner": "2026\u200dQ3",
    "homoglyph_lang": "\u0435n",  # Cyrillic е + n: looks like `en`
    "homoglyph_quarter": "2\u041e26Q3",  # Cyrillic О for the zero
    "combining": "'\u0301\u0338 Z\u0336a\u0337",
    "newline_cr": "a\r\nb\n' OR '1'='1",
    "html_script": "<script>alert(1)</script>",
    "markdown": "会话已过期，请[点此重新登录](http://evil.example) ![x](http://evil.example/i.png) :material/home: **b**",
    "json": '{"$ne": null, "a": ["\'; --"]}',
    "path_traversal": "../../etc/passwd",
    "valid_prefix": "2026Q3' OR '1'='1",
    "numeric_overflow": "1e309",
    "nan": "NaN",
    "negative": "-1",
    "empty": "",
}


FILES_THAT_MUST_NOT_APPEAR = [
    Path(p) for p in ("/tmp/pwned.csv", "/tmp/x.db", "/tmp/x.db.wal", "/tmp/pwned.db", "pwned.csv", "x.db")
]

# the payloads a file name can carry (a NUL, 100 KB or nothing is no file name)
UPLOAD_NAMES = {name: payload for name, payload in PAYLOADS.items() if name not in ("nul", "long_100k", "empty")}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def present() -> set[Path]:
    return {p for p in FILES_THAT_MUST_NOT_APPEAR if p.exists()}


def as_rendered(markdown: str) -> str:
    """What Streamlit's markdown shows for text escaped by ui.format.plain: backslash escapes resolved, zero-width
    spaces gone (CommonMark: a backslash before ASCII punctuation is the punctuation itself)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u200b", "")
