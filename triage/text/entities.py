"""Entities in a request: order numbers, tracking numbers (with carrier), mobile
phone numbers, money amounts, dates and durations.

Extraction runs on the *normalised* text (full-width digits already ASCII,
Traditional already Simplified) and reports offsets in the *original* text.
Every pattern here is linear: no nested quantifiers, bounded repetitions.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..types import Entity
from .normalize import Normalized

__all__ = ["extract_entities", "cn_number"]

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_UNITS) + "".join(_CN_BIG) + "半"
_CN_DIGITS_ONLY = "".join(d for d in _CN_DIGITS if d not in "零〇")


def cn_number(s: str) -> float | None:
    """Chinese numerals to a number: ``一百九十九`` → 199, ``两千五`` → 2500, ``十五`` → 15,
    ``一万二`` → 12000, ``半`` → 0.5. Returns ``None`` when ``s`` is not a numeral."""
    if not s:
        return None
    if s == "半":
        return 0.5
    if s.isdigit():
        return float(s)
    total = 0
    section = 0
    digit: int | None = None
    last_unit = 1
    for ch in s:
        if ch in _CN_DIGITS:
            if digit is not None:  # digit-by-digit reading such as 一九九
                digit = digit * 10 + _CN_DIGITS[ch]
            else:
                digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            section += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
        elif ch in _CN_BIG:
            section += digit or 0
            total += (section or 1) * _CN_BIG[ch]
            section = 0
            digit = None
            last_unit = _CN_BIG[ch]
        else:
            return None
    if digit is not None:
        # 两千五 = 2500, 一万二 = 12000: a lone digit right after a unit counts one order lower
        shorthand = last_unit >= 100 and s[-2:-1] in (_CN_UNITS.keys() | _CN_BIG.keys())
        section += digit * (last_unit // 10) if shorthand else digit
    return float(total + section)


_CARRIER_PREFIX = (
    (re.compile(r"(?<![a-z0-9])sf\d{12,15}(?![a-z0-9])"), "顺丰"),
    (re.compile(r"(?<![a-z0-9])jd[a-z]{0,4}\d{10,15}(?![a-z0-9])"), "京东"),
    (re.compile(r"(?<![a-z0-9])yt\d{10,15}(?![a-z0-9])"), "圆通"),
    (re.compile(r"(?<![a-z0-9])jt\d{10,15}(?![a-z0-9])"), "极兔"),
    (re.compile(r"(?<![a-z0-9])e[a-z]\d{9}cn(?![a-z0-9])"), "EMS"),
)
_CARRIER_NAMES = {"顺丰": "顺丰", "中通": "中通", "圆通": "圆通", "申通": "申通", "韵达": "韵达",
                  "极兔": "极兔", "京东": "京东", "邮政": "邮政", "ems": "EMS", "德邦": "德邦", "百世": "百世"}
_CARRIER_RE = re.compile("|".join(map(re.escape, _CARRIER_NAMES)))
_TRACKING_CTX = re.compile(r"(运单号?|快递单号?|物流单号?|快递号|单号|tracking(?: ?(?:no|number|#))?)[\s:：是为]{0,3}$")
_ORDER_CTX = re.compile(r"(订单号?|订单编号|order(?: ?(?:id|no|number|#))?|单号)[\s:：是为#]{0,3}$")
_DIGIT = re.compile(r"\d")  # every code pattern below needs one
_CODE_RE = re.compile(r"(?<![a-z0-9])(?:[a-z]{1,4}\d[a-z0-9-]{5,30}|\d{6,24})(?![a-z0-9])")
_PHONE_RE = re.compile(r"(?<![\d.])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![\d.])")
_MONEY_RE = re.compile(
    r"(?:[¥$]|rmb|人民币)\s?(?P<a>\d{1,9}(?:,\d{3})*(?:\.\d{1,2})?)(?P<ka>[kw万千])?"
    r"|(?P<b>\d{1,9}(?:,\d{3})*(?:\.\d{1,2})?)\s?(?P<kb>[kw万千])?\s?(?:元|块钱|块|rmb|人民币|¥)"
    rf"|(?P<c>[{_CN_CHARS}]{{1,12}})(?:多)?(?:元|块钱|块)"
    r"|(?<![a-z0-9.])(?P<d>\d{1,4}(?:\.\d{1,2})?)(?P<kd>[kw])(?![a-z0-9])"
    # a bare number after a money word: 订单金额23999, 价值6800, 花了1200
    r"|(?:金额|价值|价格|售价|总价|总额|实付|付款|花了|付了|少了|扣了|扣走|转走|刷了)[:：是为]?\s?"
    r"(?P<e>\d{3,9}(?:,\d{3})*(?:\.\d{1,2})?)(?:\s?(?:元|块钱|块)|(?![\d.,]*\s?(?:[个件台只条次天人份张箱瓶盒袋包双套斤克号年月日点分秒%]|小时|公里|米)))"
    # colloquial sums of ten thousands without 元: 三万多, 两万八, 一万七千多
    rf"|(?P<f>[{_CN_DIGITS_ONLY}]万[{_CN_CHARS}]{{0,4}})多?(?![{_CN_CHARS}多个件台只条次天人份张名位步字粉户家公米里])"
)
_DATE_RE = re.compile(
    r"(?P<iso>(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01]))(?!\d)"
    r"|(?:(?P<y>(?:19|20)\d{2})年)?(?P<m>0?[1-9]|1[0-2])月(?P<d>0?[1-9]|[12]\d|3[01])(?:日|号)?"
    r"|(?P<rel>大前天|前天|昨天|昨晚|今天|今早|今晚|明天|后天|上周|上个月|上星期|这周|本周|本月|双十一|双11|双十二|双12|618)"
)
_DURATION_UNITS = {"分钟": 1 / 60, "小时": 1, "个小时": 1, "天": 24, "日": 24, "周": 168, "星期": 168,
                   "个星期": 168, "礼拜": 168, "个礼拜": 168, "个月": 720, "月": 720}
_DURATION_RE = re.compile(
    rf"(?P<n>\d{{1,4}}|[{_CN_CHARS}]{{1,4}})(?P<more>多)?\s?(?P<u>分钟|个小时|小时|个星期|星期|个礼拜|礼拜|个月|天|周)"
    r"(?!无理由|内|以内|之内)"
)


def _span(norm: Normalized, s: int, e: int) -> tuple[int, int, str]:
    a, b = norm.span(s, e)
    return a, b, norm.original[a:b]


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")


def extract_entities(norm: Normalized) -> tuple[Entity, ...]:
    """All entities found in a normalised text, in order of position."""
    text = norm.text
    if not text:
        return ()
    found: list[tuple[int, int, str, str, str | None]] = []  # (start, end, kind, value, carrier)
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(s: int, e: int, kind: str, value: str, carrier: str | None = None) -> None:
        found.append((s, e, kind, value, carrier))
        taken.append((s, e))

    def codes() -> None:  # tracking numbers, phones and order ids
        for pat, carrier in _CARRIER_PREFIX:
            for m in pat.finditer(text):
                add(m.start(), m.end(), "tracking_number", m.group().upper(), carrier)

        for m in _PHONE_RE.finditer(text):
            if free(m.start(), m.end()):
                digits = re.sub(r"\D", "", m.group())
                add(m.start(), m.end(), "phone", digits[-11:])

        for m in _CODE_RE.finditer(text):
            s, e = m.start(), m.end()
            if not free(s, e):
                continue
            before = text[max(0, s - 12):s]
            code = m.group().upper()
            if _TRACKING_CTX.search(before) and not before.rstrip(" :：是为").endswith(("订单号", "订单")):
                near = _CARRIER_RE.findall(text[max(0, s - 20):s])
                add(s, e, "tracking_number", code, _CARRIER_NAMES[near[-1]] if near else None)
            elif _ORDER_CTX.search(before):
                add(s, e, "order_id", code)
            elif code.startswith("DD") or (code.isdigit() and 15 <= len(code) <= 24):
                # shop order ids: DD-prefixed, or the long all-digit ids of Taobao/Tmall/JD/PDD
                add(s, e, "order_id", code)
            elif code.isdigit() and 10 <= len(code) <= 14:
                near = _CARRIER_RE.findall(text[max(0, s - 20):s])
                if near:
                    add(s, e, "tracking_number", code, _CARRIER_NAMES[near[-1]])

    if _DIGIT.search(text):  # all of them need a digit, and most messages (~70%) have none
        codes()

    for m in _MONEY_RE.finditer(text):
        s, e = m.start(), m.end()
        if not free(s, e):
            continue
        if m.group("c") is not None:
            amount = cn_number(m.group("c"))
            if amount is None:
                continue
        elif m.group("f") is not None:
            amount = cn_number(m.group("f"))
            if amount is None:
                continue
            s = m.start("f")
        else:
            if m.group("e") is not None:
                s = m.start("e")
            raw = (m.group("a") or m.group("b") or m.group("d") or m.group("e")).replace(",", "")
            amount = float(raw)
            mult = m.group("ka") or m.group("kb") or m.group("kd")
            amount *= {"k": 1000, "千": 1000, "w": 10000, "万": 10000, None: 1}[mult]
        add(s, e, "amount", _fmt(amount))

    for m in _DATE_RE.finditer(text):
        s, e = m.start(), m.end()
        if not free(s, e):
            continue
        if m.group("iso"):
            y, mo, d = re.split(r"[-/.]", m.group("iso"))
            value = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
        elif m.group("m"):
            y = m.group("y")
            value = (f"{int(y):04d}-" if y else "") + f"{int(m.group('m')):02d}-{int(m.group('d')):02d}"
        else:
            value = m.group("rel") or ""
        add(s, e, "date", value)

    for m in _DURATION_RE.finditer(text):
        s, e = m.start(), m.end()
        if not free(s, e):
            continue
        n = cn_number(m.group("n"))
        if n is None or n == 0:
            continue
        hours = n * _DURATION_UNITS[m.group("u")]
        add(s, e, "duration", _fmt(hours) + "h" + ("+" if m.group("more") else ""))

    found.sort()
    out = []
    for s, e, kind, val, carrier_name in found:
        a, b, surface = _span(norm, s, e)
        out.append(Entity(kind=kind, text=surface, value=val, start=a, end=b, carrier=carrier_name))
    return tuple(out)


EntityExtractor = Callable[[Normalized], tuple[Entity, ...]]
