"""The validation's reasons (analytics.ingest, analytics.store.load: English sentences) in the page's language.

A reason is matched whole against the patterns below; one no pattern knows is shown as the engine wrote it. The
values inside a reason (a period, a branch, a line, the headers) are kept as they are.
"""

from __future__ import annotations

import re

_FIRST_AT = re.compile(r"(?P<reason>.*) \(first at (?:line|row) (?P<line>\S+)\)")
_ZH: list[tuple[str, str]] = [
    (r"missing value", "缺少取值"),
    (r"empty branch", "缺少机构号"),
    (r"more than 2 decimal places \(money is exact to the cent\)", "小数超过 2 位（金额精确到分）"),
    (r"not an amount", "不是金额"),
    (r"amount out of range", "金额超出范围"),
    (r"not a date \(use 2026-09-30, 20260930 or 2026/9/30\)", "不是日期（请用 2026-09-30、20260930 或 2026/9/30）"),
    (r"not a month end", "不是月末日期"),
    (r"ID mangled by Excel into scientific notation: export it as text", "编号被 Excel 转成了科学计数法：请按文本导出"),
    (r"ID turned into a number by Excel: export it as text", "编号被 Excel 转成了数字：请按文本导出"),
    (r"control characters in an ID", "编号含控制字符"),
    (r"not a phone number", "不是电话号码"),
    (r"not a whole number from (?P<low>\S+) to (?P<high>\S+)", r"不是 \g<low> 至 \g<high> 之间的整数"),
    (r"not a yes/no flag \(1/0, 是/否, Y/N\)", "不是是否标志（1/0、是/否、Y/N）"),
    (r"unknown status: expected one of (?P<values>.*)", r"未知状态：应为 \g<values> 之一"),
    (r"unknown gender: expected one of (?P<values>.*)", r"未知性别：应为 \g<values> 之一"),
    (r"column appears twice \(headers (?P<a>.*) and (?P<b>.*)\)", r"列重复（表头 \g<a> 与 \g<b>）"),
    (r"missing required column \((?P<names>.*)\)", r"缺少必需的列（\g<names>）"),
    (r"duplicate customer in period (?P<period>\S+), twice under branch (?P<branch>.*)",
     r"\g<period> 客户重复：两次都在机构 \g<branch>"),
    (r"duplicate customer in period (?P<period>\S+), under branch (?P<here>\S+) here and under branch (?P<first>.*)",
     r"\g<period> 客户重复：此处在机构 \g<here>，另一处在机构 \g<first>"),
    (r"duplicate customer in period (?P<period>\S+)", r"\g<period> 客户重复"),
    (r"differs from the period given \((?P<given>\S+)\): the file is of another month",
     r"与指定的期末（\g<given>）不同：文件属于另一个月份"),
    (r"unreadable row: (?P<why>.*)", r"无法读取的行：\g<why>"),
    (r"the file is empty: no header line", "文件为空：没有表头行"),
    (r"the header line cannot be read: (?P<why>.*)", r"无法读取表头行：\g<why>"),
    (r"not a readable CSV file: (?P<why>.*)", r"不是可读取的 CSV 文件：\g<why>"),
    (r"a quoted field is never closed \(is the file cut short\?\)", "有引号字段未闭合（文件是否被截断？）"),
    (r"not a readable Parquet file: (?P<why>.*)", r"不是可读取的 Parquet 文件：\g<why>"),
    (r"not a readable XLSX workbook: (?P<why>.*)", r"不是可读取的 XLSX 工作簿：\g<why>"),
    (r"the first sheet is empty: no header row", "第一个工作表为空：没有表头行"),
    (r"the file has a header but no data rows", "文件只有表头，没有数据行"),
    (r"customer already loaded for (?P<period>\S+) under branch (?P<before>\S+) \(from (?P<file>.*?)\) "
     r"and here under branch (?P<here>\S+) \(a customer who moved: load both branches in one file, or the whole "
     r"month with --replace-period\)",
     r"该客户 \g<period> 已在机构 \g<before> 下加载（来自 \g<file>），此处在机构 \g<here> 下（客户换了机构：请把两个机构"
     r"放在一个文件中加载，或用 --replace-period 加载整月）"),
    (r"customer already loaded for (?P<period>\S+) under branch (?P<before>\S+) "
     r"and here under branch (?P<here>\S+) \(a customer who moved: load both branches in one file, or the whole "
     r"month with --replace-period\)",
     r"该客户 \g<period> 已在机构 \g<before> 下加载，此处在机构 \g<here> 下（客户换了机构：请把两个机构放在一个文件中"
     r"加载，或用 --replace-period 加载整月）"),
]  # fmt: skip
_PATTERNS = [(re.compile(pattern), words) for pattern, words in _ZH]


def reason_in(lang: str, reason: str) -> str:
    """`reason` in `lang` (zh: translated where a pattern knows it; en: as written)."""
    if lang != "zh" or not reason:
        return reason
    first = _FIRST_AT.fullmatch(reason)
    if first:
        return f"{reason_in(lang, first['reason'])}（首次出现在第 {first['line']} 行）"  # a sheet's row too
    for pattern, words in _PATTERNS:
        found = pattern.fullmatch(reason)
        if found:
            return found.expand(words)
    return reason
