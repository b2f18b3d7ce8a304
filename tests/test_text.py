"""The Chinese text layer: normalisation, tokenisation, entities."""

from __future__ import annotations

import pickle
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies import chinese, run_in_threads, texts
from triage.text.entities import cn_number, extract_entities
import re

from triage.text.normalize import _SPECIAL, Normalizer, normalize
from triage.text.tokenize import Tokenizer

NORM = Normalizer()


@pytest.mark.parametrize("raw, expected", [
    ("請問訂單ＡＢＣ１２３　退貨了嗎？？", "请问订单abc123 退货了吗??"),
    ("  hello \t\n World ", "hello world"),
    ("快\u200b递\ufeff到了\u200d吗", "快递到了吗"),
    ("我的快递一周了还没到", "我的快递一周了还没到"),
    ("", ""),
    ("\x00\x01\x7f", ""),
    ("①号订单…", "1号订单..."),
])
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@given(texts)
def test_normalize_is_idempotent(s: str) -> None:
    once = NORM(s).text
    assert NORM(once).text == once


@given(texts)
def test_normalized_text_has_no_format_or_control_chars_and_no_double_spaces(s: str) -> None:
    out = NORM(s).text
    assert not any(unicodedata.category(c) in ("Cf", "Cc", "Cs") for c in out)
    assert "  " not in out and out == out.strip()


@given(texts)
def test_alignment_points_into_the_original(s: str) -> None:
    n = NORM(s)
    origin = n.origin if n.origin is not None else range(len(n.text))
    assert len(origin) == len(n.text)
    assert list(origin) == sorted(origin)
    assert all(0 <= i < len(s) for i in origin)


def test_original_text_is_kept() -> None:
    n = NORM("請問ＡＢＣ")
    assert n.original == "請問ＡＢＣ" and n.text == "请问abc"
    assert n.span(2, 5) == (2, 5)


def test_fast_path_character_class_matches_unicodedata() -> None:
    """The precomputed class of characters that need the slow path agrees with this Python's Unicode data."""
    special = re.compile(f"[A-Z{_SPECIAL}]")
    ws = set(" \t\n\r\x0b\x0c\u00a0\u1680\u2028\u2029\u3000\u202f\u205f") | {chr(c) for c in range(0x2000, 0x200B)}
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        needs = (c in ws and c != " ") or unicodedata.category(c) in ("Cf", "Cc", "Cs") or "A" <= c <= "Z"
        assert bool(special.match(c)) == needs, hex(cp)


@pytest.fixture(scope="module", params=["rjieba", "jieba"])
def tokenizer(request: pytest.FixtureRequest) -> Tokenizer:
    return Tokenizer(backend=request.param).warm_up()


@given(chinese)
def test_tokens_rejoin_to_the_text_with_exact_offsets(s: str) -> None:
    for tk in (RJ, JB):
        norm = NORM(s).text
        toks = tk.tokenize(norm)
        assert "".join(w for w, _, _ in toks) == norm
        assert all(norm[a:b] == w for w, a, b in toks)
        assert [w for w, _, _ in toks] == tk.cut(norm)


RJ = Tokenizer(backend="rjieba")
JB = Tokenizer(backend="jieba")


def test_customer_service_dictionary_is_used(tokenizer: Tokenizer) -> None:
    words = tokenizer.cut("七天无理由退货，运单号查不到，价保怎么申请，被盗刷了")
    for w in ("七天无理由", "运单号", "价保", "被盗刷"):
        assert w in words, (w, words)


def test_tokenizers_do_not_share_state() -> None:
    plain = Tokenizer(backend="jieba", user_dict=None)
    custom = Tokenizer(backend="jieba", user_dict=None, words=["快递小哥"])
    assert "快递小哥" in custom.cut("快递小哥很好")
    assert "快递小哥" not in plain.cut("快递小哥很好")
    import jieba

    assert "快递小哥" not in jieba.dt.FREQ  # jieba's global instance untouched


def test_rjieba_default_segmenter_is_not_built() -> None:
    """rjieba's package import builds a global segmenter (0.1 s, 23 MB) no Tokenizer uses: it is skipped,
    and a later ``import rjieba`` by the user still works."""
    import subprocess

    code = ("import sys; from triage.text.tokenize import Tokenizer; t = Tokenizer(backend='rjieba').warm_up(); "
            "print('rjieba' in sys.modules, t.cut('被盗刷了') == ['被盗刷', '了']); "
            "import rjieba; print(rjieba.cut('今天天气不错'), type(t._impl) is rjieba.Jieba)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["False True", "['今天天气', '不错'] True"]


def test_rjieba_falls_back_to_the_package_import(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from triage.text import tokenize

    monkeypatch.delitem(sys.modules, "rjieba.rjieba", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)  # an unexpected package layout
    import rjieba

    assert tokenize._rjieba_class() is rjieba.Jieba


def test_tokenizer_pickles_small_and_rebuilds(tokenizer: Tokenizer) -> None:
    blob = pickle.dumps(tokenizer)
    assert len(blob) < 20_000
    again = pickle.loads(blob)
    assert again.cut("我的快递一周了还没到") == tokenizer.cut("我的快递一周了还没到")
    assert again.dictionary_hash == tokenizer.dictionary_hash


def test_one_tokenizer_serves_many_threads() -> None:
    tk = Tokenizer()
    sentences = [f"第{i}单快递还没到，退款怎么还没到账" for i in range(200)]
    expected = [tk.cut(s) for s in sentences]
    results = run_in_threads(lambda: [tk.cut(s) for s in sentences])
    assert len(results) == 8 and all(r == expected for r in results)


def test_unknown_backend_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="backend must be one of"):
        Tokenizer(backend="pkuseg")


@pytest.mark.parametrize("text, value", [
    ("一百九十九", 199), ("两千五", 2500), ("十五", 15), ("一万二", 12000), ("一百零五", 105), ("三", 3), ("二十", 20),
])
def test_chinese_numerals(text: str, value: float) -> None:
    assert cn_number(text) == value


def _ents(s: str) -> list[tuple[str, str, str | None, str]]:
    return [(e.kind, e.value, e.carrier, s[e.start:e.end]) for e in extract_entities(NORM(s))]


def test_entities_with_offsets_in_the_original_text() -> None:
    s = "订单号：3921847561029384756 还没发货，顺丰SF1234567890123，花了¥199，电话138 1234 5678"
    assert _ents(s) == [
        ("order_id", "3921847561029384756", None, "3921847561029384756"),
        ("tracking_number", "SF1234567890123", "顺丰", "SF1234567890123"),
        ("amount", "199", None, "¥199"),
        ("phone", "13812345678", None, "138 1234 5678"),
    ]


@pytest.mark.parametrize("text, expected", [
    ("運單號JDVA12345678901", ("tracking_number", "JDVA12345678901", "京东")),
    ("圆通YT1234567890123到哪了", ("tracking_number", "YT1234567890123", "圆通")),
    ("中通 75123456789012 三天了没动", ("tracking_number", "75123456789012", "中通")),
    ("订单DD20261104001", ("order_id", "DD20261104001", None)),
    ("一百九十九元买的", ("amount", "199", None)),
    ("退了两千多块", ("amount", "2000", None)),
    ("１.５k的耳机", ("amount", "1500", None)),
    ("订单金额23999，屏幕有竖线", ("amount", "23999", None)),
    ("价值6,800元的笔记本", ("amount", "6800", None)),
    ("两万八的相机镜头", ("amount", "28000", None)),
    ("买的项链三万多，链扣坏了", ("amount", "30000", None)),
    ("11月3号下的单", ("date", "11-03", None)),
    ("2026-10-01买的", ("date", "2026-10-01", None)),
    ("我的快递一周了还没到", ("duration", "168h", None)),
    ("等了3个小时", ("duration", "3h", None)),
])
def test_entity_kinds(text: str, expected: tuple[str, str, str | None]) -> None:
    assert expected in [(k, v, c) for k, v, c, _ in _ents(text)]


@pytest.mark.parametrize("text", ["一共3件", "三万多个人在排队", "一万个不愿意", "千万别买", "万一坏了", "走了两万步",
                                  "十万火急", "价格3次都不对"])
def test_counts_and_idioms_are_not_money(text: str) -> None:
    assert [k for k, *_ in _ents(text) if k == "amount"] == []


def test_seven_day_policy_is_not_a_duration() -> None:
    assert [k for k, *_ in _ents("7天无理由退货")] == []


@given(texts)
def test_entities_never_crash_and_spans_are_valid(s: str) -> None:
    for e in extract_entities(NORM(s)):
        assert 0 <= e.start <= e.end <= len(s)
        assert s[e.start:e.end] == e.text


@given(st.text(alphabet="0123456789 -", max_size=40))
def test_phone_values_are_eleven_digits(s: str) -> None:
    for e in extract_entities(NORM(s)):
        if e.kind == "phone":
            assert len(e.value) == 11 and e.value.startswith("1")
