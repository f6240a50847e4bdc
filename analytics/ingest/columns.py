"""The extract contract's columns and their accepted header spellings: the one alias table."""

from __future__ import annotations

import re

from analytics.core import policy_rules

REQUIRED = ("period", "customer_id", "branch_id", "aum")

# canonical name -> accepted header spellings (compared case-insensitively, spaces and underscores ignored)
ALIASES: dict[str, tuple[str, ...]] = {
    "period": ("日期", "数据日期", "统计日期", "快照日期"),
    "customer_id": ("客户号", "客户编号", "客户编码"),
    "branch_id": ("网点号", "机构号", "网点编号", "机构编号"),
    "aum": ("金融资产", "金融资产余额", "个人金融资产"),
    "branch_name": ("网点名称", "机构名称", "网点"),
    "sub_branch": ("支行", "支行名称"),
    "region": ("分行", "分行名称"),
    "manager_id": ("客户经理号", "管户人", "管户人编号", "客户经理编号"),
    "manager_name": ("客户经理", "客户经理姓名", "管户人姓名"),
    "manager_role": ("岗位", "客户经理岗位", "管户人岗位"),
    "customer_name": ("客户姓名", "姓名", "客户名称"),
    "id_number": ("证件号码", "身份证号", "证件号"),
    "phone": ("手机号", "手机号码", "联系电话"),
    "birth_date": ("出生日期",),
    "age": ("年龄",),
    "gender": ("性别",),
    "card_level": ("卡等级", "卡级别"),
    "status": ("状态", "客户状态", "账户状态"),
    "open_date": ("开户日期",),
    "aum_month_avg": ("月日均", "金融资产月日均"),
    "deposit_balance": ("存款余额",),
    "wealth_balance": ("理财余额",),
    "fund_balance": ("基金余额",),
    "insurance_balance": ("保险余额",),
    "credit_card_spend_ytd": ("信用卡年累计消费", "信用卡消费"),
    "loan_balance": ("贷款余额",),
    "product_count": ("持有产品数", "产品数"),
    "aum_year_avg": ("年日均", "金融资产年日均"),
    "depository_margin": ("三方存管保证金", "第三方存管保证金"),
    "close_reason": ("销户原因",),
    "address": ("地址", "联系地址", "家庭地址"),
    "employer": ("工作单位",),
}

# product code -> Chinese name; a header `has_<code>` or `持有<名称>` is a product flag
PRODUCTS: dict[str, str] = {
    "time_deposit": "定期存款",
    "wealth": "理财",
    "fund": "基金",
    "insurance": "保险",
    "precious_metal": "贵金属",
    "credit_card": "信用卡",
    "mobile_banking": "手机银行",
    "payroll": "代发工资",
    "third_party": "三方存管",
    "loan": "贷款",
}

MONEY = (
    "aum",
    "aum_month_avg",
    "deposit_balance",
    "wealth_balance",
    "fund_balance",
    "insurance_balance",
    "credit_card_spend_ytd",
    "loan_balance",
    "aum_year_avg",
    "depository_margin",
)
DATES = ("period", "birth_date", "open_date")
TEXT = (
    "branch_name", "sub_branch", "region", "manager_name", "manager_role", "customer_name", "card_level",
    "close_reason", "address", "employer",
)  # fmt: skip

STATUS_VALUES: dict[str, str] = {
    "active": "active",
    "normal": "active",
    "正常": "active",
    "活跃": "active",
    "有效": "active",
    "dormant": "dormant",
    "休眠": "dormant",
    "睡眠": "dormant",
    "不动户": "dormant",
    "closed": "closed",
    "销户": "closed",
    "已销户": "closed",
    "注销": "closed",
    "关闭": "closed",
}
GENDER_VALUES: dict[str, str] = {
    "m": "M",
    "male": "M",
    "男": "M",
    "1": "M",
    "f": "F",
    "female": "F",
    "女": "F",
    "2": "F",
}
TRUE_FLAGS = ("1", "y", "yes", "true", "是", "有", "√")
FALSE_FLAGS = ("0", "n", "no", "false", "否", "无", "")

# card levels in ascending order (the policy's list); English spellings map to the Chinese names the banks use
CARD_LEVELS = policy_rules.CARD_LEVELS
CARD_ALIASES: dict[str, str] = {
    "standard": "普卡",
    "classic": "普卡",
    "普通卡": "普卡",
    "gold": "金卡",
    "platinum": "白金卡",
    "diamond": "钻石卡",
    "紫金卡": "钻石卡",
}


def _key(header: str) -> str:
    return header.strip().lstrip("\ufeff").lower().replace(" ", "").replace("_", "")


_LOOKUP: dict[str, str] = {}
for _name, _spellings in ALIASES.items():
    for _spelling in (_name, *_spellings):
        _LOOKUP[_key(_spelling)] = _name
_PRODUCT_BY_ZH = {zh: code for code, zh in PRODUCTS.items()}


def canonical(header: str) -> str | None:
    """The canonical column for a header, `has_<code>` for a product flag, or None if unknown."""
    key = _key(header)
    if key in _LOOKUP:
        return _LOOKUP[key]
    raw = header.strip().lstrip("\ufeff")
    if re.fullmatch(r"has_[a-z][a-z0-9_]{0,40}", raw.lower()):
        return raw.lower()
    for prefix in ("是否持有", "持有"):
        if raw.startswith(prefix) and raw[len(prefix) :] in _PRODUCT_BY_ZH:
            return "has_" + _PRODUCT_BY_ZH[raw[len(prefix) :]]
    return None
