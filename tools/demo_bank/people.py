"""Synthetic personal data for the demo bank: names, resident ID numbers, phones, place names.

Everything is vectorised. Text is returned as GBK bytes (pyarrow binary arrays), ready for the extract files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# common surnames, most frequent first (weights fall off with rank)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
MALE_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国峰亮成志文东海晨博振兵彬毅荣昊然哲瑞晓立新"
)
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲燕婷慧红琳雪梅丹莉倩颖洁佳琴云萍月莹晶欣玉兰凤婉怡悦蕾薇璐瑶琪晴思雅诗梦馨"

# resident ID region codes: the bank's home city (Suzhou districts) first, then where migrants come from
LOCAL_REGIONS = (320505, 320506, 320507, 320508, 320509, 320581, 320582, 320583, 320585)
OTHER_REGIONS = (
    110105,
    310115,
    320102,
    320311,
    321302,
    330106,
    340104,
    341204,
    370212,
    411302,
    420106,
    430104,
    510107,
    610113,
)
LOCAL_SHARE = 0.75

MOBILE_PREFIXES = (
    130,
    131,
    132,
    133,
    134,
    135,
    136,
    137,
    138,
    139,
    147,
    150,
    151,
    152,
    153,
    155,
    156,
    157,
    158,
    159,
    166,
    173,
    175,
    176,
    177,
    178,
    180,
    181,
    182,
    183,
    184,
    185,
    186,
    187,
    188,
    189,
    191,
    198,
    199,
)

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)

SUB_BRANCH_ROADS = (
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "新华路",
    "长江路",
    "黄河路",
    "东风路",
    "文化路",
    "胜利路",
    "青年路",
)
BRANCH_PLACES = (
    "幸福里",
    "花园街",
    "翠园",
    "金鸡湖",
    "独墅湖",
    "石路",
    "观前街",
    "平江",
    "沧浪",
    "枫桥",
    "浒关",
    "木渎",
    "横塘",
    "娄门",
    "葑门",
    "胥江",
    "三香路",
    "干将路",
    "东环路",
    "西环路",
    "南环路",
    "北环路",
    "新港",
    "湖东",
    "湖西",
    "科技城",
    "狮山",
    "何山",
    "塔园",
    "玉山",
    "滨河",
    "东沙湖",
    "星海",
    "斜塘",
    "唯亭",
    "胜浦",
    "车坊",
    "甪直",
    "越溪",
    "郭巷",
    "横泾",
    "东山",
    "西山",
    "光福",
    "通安",
    "望亭",
    "黄桥",
    "北桥",
)
BRANCH_SUFFIXES = ("分理处", "储蓄所", "营业所")


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative integers, one row of `width` digit values per value."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return np.asarray(values, dtype=np.int64)[:, None] // powers % 10


def digit_text(values: np.ndarray, width: int) -> pa.Array:
    return fixed_width(digits(values, width) + ord("0"))


def gbk(labels: Sequence[str]) -> pa.Array:
    return pa.array([label.encode("gbk") for label in labels], pa.binary())


def fixed_width(chars: np.ndarray) -> pa.Array:
    """A binary array from an (n, width) matrix of byte values, without a Python loop."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(chars.astype(np.uint8))
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def id_check_digits(first17: np.ndarray) -> np.ndarray:
    """ISO 7064 MOD 11-2 check characters (ASCII bytes) for an (n, 17) matrix of digit values."""
    return ID_CHECK[(first17.astype(np.int64) @ ID_WEIGHTS) % 11]


def _pick_chars(rng: np.random.Generator, alphabet: str, n: int, weights: np.ndarray | None = None) -> pa.Array:
    return gbk(alphabet).take(pa.array(rng.choice(len(alphabet), n, p=weights)))


def person_names(rng: np.random.Generator, male: np.ndarray) -> pa.Array:
    """Surname and a one- or two-character given name typical for the gender."""
    n = len(male)
    rank_weights = 1.0 / (np.arange(len(SURNAMES)) + 4.0)
    surname = _pick_chars(rng, SURNAMES, n, rank_weights / rank_weights.sum())
    given = [
        pc.if_else(pa.array(male), _pick_chars(rng, MALE_CHARS, n), _pick_chars(rng, FEMALE_CHARS, n)) for _ in range(2)
    ]
    single = pa.array(rng.random(n) < 0.3)
    second = pc.if_else(single, pa.scalar(b"", pa.binary()), given[1])
    return pc.binary_join_element_wise(surname, given[0], second, pa.scalar(b"", pa.binary()))


def birth_digits(birth: np.ndarray) -> np.ndarray:
    """YYYYMMDD digits of datetime64[D] dates."""
    years = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    months = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
    return digits(years * 10_000 + months * 100 + days, 8)


def id_numbers(rng: np.random.Generator, birth: np.ndarray, male: np.ndarray) -> pa.Array:
    """18-digit resident ID numbers: region, birth date, sequence (odd for men), check digit."""
    n = len(birth)
    local = rng.random(n) < LOCAL_SHARE
    region = np.where(
        local,
        np.asarray(LOCAL_REGIONS)[rng.integers(0, len(LOCAL_REGIONS), n)],
        np.asarray(OTHER_REGIONS)[rng.integers(0, len(OTHER_REGIONS), n)],
    )
    sequence = rng.integers(0, 500, n) * 2 + male.astype(np.int64)
    first17 = np.hstack([digits(region, 6), birth_digits(birth), digits(sequence, 3)])
    return fixed_width(np.hstack([first17 + ord("0"), id_check_digits(first17)[:, None]]))


def phones(rng: np.random.Generator, n: int, missing_share: float) -> pa.Array:
    """11-digit mobile numbers; a share of customers has none (null, an empty field in the extract)."""
    prefix = np.asarray(MOBILE_PREFIXES)[rng.integers(0, len(MOBILE_PREFIXES), n)]
    numbers = digit_text(prefix * 100_000_000 + rng.integers(0, 100_000_000, n), 11)
    return pc.if_else(pa.array(rng.random(n) < missing_share), pa.scalar(None, pa.binary()), numbers)


def sub_branch_names(count: int) -> list[str]:
    return [f"{road}支行" for road in SUB_BRANCH_ROADS[:count]]


def branch_names(sub_of_branch: np.ndarray, subs: list[str]) -> list[str]:
    """The first outlet of each sub-branch is its 营业部; the others are named after their neighbourhood."""
    names: list[str] = []
    seen: set[int] = set()
    for i, sub in enumerate(sub_of_branch.tolist()):
        if sub not in seen:
            seen.add(sub)
            names.append(f"{subs[sub]}营业部")
        else:
            place, lap = i % len(BRANCH_PLACES), i // len(BRANCH_PLACES)
            names.append(BRANCH_PLACES[place] + BRANCH_SUFFIXES[(place + lap) % len(BRANCH_SUFFIXES)])
    return names


def person_fields(rng: np.random.Generator, birth: np.ndarray, male: np.ndarray, no_phone_share: float) -> pa.Array:
    """The extract's personal block, pre-joined: 客户姓名,证件号码,手机号,出生日期,性别 (an empty field for no phone)."""
    phone = pc.fill_null(phones(rng, len(birth), no_phone_share), b"")
    birth_text = pa.array(birth).cast(pa.string()).cast(pa.binary())
    gender = gbk(["女", "男"]).take(pa.array(male.astype(np.int8)))
    return pc.binary_join_element_wise(
        person_names(rng, male), id_numbers(rng, birth, male), phone, birth_text, gender, pa.scalar(b",", pa.binary())
    )
