"""Repeat-contact signals: counts over a customer's earlier contacts, and chasing language.

Two independent pieces of evidence that a request repeats an earlier one:

* :func:`history_counter` / :func:`history_stats` count earlier contacts
  (explicit ``request.history`` or items from a store — the same function for
  both) within a window: how many, how many about the same category, how many
  still open, how many through another channel.
* :func:`find_chasing` finds the customer *saying* it is not the first time
  ("第三次", "又没到", "上次说好的", "催了好几次") in the normalised text, which
  works without any stored history. :func:`is_chasing` decides whether the
  matches are strong enough to count.

What counts as chasing
----------------------
Matching runs on normalised text, so Traditional (還沒, 說好的, 一直沒) and
full-width forms are covered by the Simplified patterns.

Strong (one is enough) — the customer says they contacted before, were
promised something, or nobody dealt with it:
an ordinal of two or more (第二次, 第3次, 第N回; not 第二次买/下单/使用, a second
purchase), contacting N times (说了好几次, 问了n遍, 多少次了, 三番五次, 一催再催),
上次/上回/之前/昨天 + 说好/答应/承诺/说过, 催了/催过/催促, 一直没人回/一直不处理,
再次联系/又来问/再问一次, 还是没有/仍然没有, and 又 + a verb of contact or of the
same failure (又是, 又没, 又不, 又说, 又让, 又要, 又拖, 又延迟).

Weak (two different kinds are needed) — words a *first* message uses too:
还没 / 还是没 / 尚未 ("还没收到货" is how most first messages about a late parcel
read: **not** chasing on its own), 到现在 / 至今 / 到今天, 一直没 describing a
state ("物流一直没更新"), 说好的 on its own ("说好的续航30天呢" is a product
promise), 好几次 without a verb of contact ("试了好几次登录不上"), and the problem
happening again (又坏了, 又显示, 又被扣). So "到现在还没到" is chasing and
"快递还没到" is not.

Never: 又 in the coordination 又X又Y ("又快又好", "又贵又难用"), 又称/又名/又及,
又来买 (a returning customer), 第一次.

Measured on the 1,200 held-out corpus messages (each written as a single
message): 61 are flagged, about half of them service complaints, most saying outright
"第三次了" or "又说…".
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..route.conditions import HistoryStats
from ..types import HistoryItem

__all__ = [
    "ChasingMatch",
    "HistoryStats",
    "describe_contacts",
    "find_chasing",
    "history_counter",
    "history_stats",
    "in_window",
    "is_chasing",
]


def in_window(items: Iterable[HistoryItem], received_at: _dt.datetime, days: float, *,
              exclude: str | None = None) -> list[HistoryItem]:
    """The items received in ``[received_at - days, received_at]``, oldest first; ``exclude`` drops one request id."""
    since = received_at - _dt.timedelta(days=days)
    out = [h for h in items if since <= h.received_at <= received_at
           and (exclude is None or h.request_id != exclude)]
    out.sort(key=lambda h: h.received_at)
    return out


def history_stats(items: Sequence[HistoryItem] | None, *, received_at: _dt.datetime, days: float,
                  category: str | None, channel: str | None, exclude: str | None = None) -> HistoryStats:
    """Counts over the customer's contacts in the ``days`` before ``received_at``.

    ``items=None`` means "no history known" (``HistoryStats(known=False)``: rules
    on counts do not fire); an empty sequence means "known: no earlier contacts".
    ``same_category`` compares with ``category`` (nothing counts when it is None);
    ``other_channels`` counts contacts with a channel different from ``channel``.
    """
    if items is None:
        return HistoryStats(known=False)
    recent = in_window(items, received_at, days, exclude=exclude)
    return HistoryStats(
        contacts=len(recent),
        same_category=sum(1 for h in recent if category is not None and h.category == category),
        open=sum(1 for h in recent if h.open),
        other_channels=sum(1 for h in recent if h.channel and h.channel != channel),
        known=True,
    )


def history_counter(items: Sequence[HistoryItem] | None, *, received_at: _dt.datetime, category: str | None,
                    channel: str | None, exclude: str | None = None) -> Callable[[int], HistoryStats]:
    """``days -> HistoryStats`` for :class:`triage.route.conditions.Facts.history`, cached per window.

    Use it for both sources::

        items = request.history or None                    # explicit history (empty = unknown)
        items = lookup.items if lookup.available else None  # from SafeStore.history(...)
    """
    cache: dict[int, HistoryStats] = {}

    def stats(days: int) -> HistoryStats:
        got = cache.get(days)
        if got is None:
            got = cache[days] = history_stats(items, received_at=received_at, days=days, category=category,
                                              channel=channel, exclude=exclude)
        return got

    return stats


def describe_contacts(items: Iterable[HistoryItem], *, limit: int = 3) -> str:
    """A short citation of earlier contacts for a reason: ``R-17 (logistics, wechat, 09-28 14:05 UTC), …``."""
    items = list(items)
    parts = []
    for h in items[-limit:][::-1]:
        bits = [b for b in (h.category, h.channel) if b]
        if h.open:
            bits.append("open")
        when = h.received_at.strftime("%m-%d %H:%M %Z").strip()
        parts.append(f"{h.request_id or '?'} ({', '.join([*bits, when])})")
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(parts) + more


# -- chasing language --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ChasingMatch:
    """A chasing phrase found in normalised text: ``text[start:end] == phrase``.

    ``kind`` names the pattern (``ordinal``, ``again``, ``promise``, ``urged``,
    ``how_many``, ``all_along``, ``still_not``, ``until_now`` ...); ``strong`` says
    whether it alone counts as evidence of a repeat.
    """

    phrase: str
    start: int
    end: int
    kind: str
    strong: bool


_NUM = "二两三四五六七八九十几n2-9"
_TIMES = "(?:好几|好多|无数|多少|n)\\s*(?:次|回|遍)"
_CONTACT = "(?:联系|打电话|打了电话|电话|问|找|反馈|投诉|催|说|咨询|留言|私信|申请|提交|来)"
# (kind, strong, pattern) over normalised text (NFKC: digits ASCII; t2s: simplified; ascii lower-cased).
# Order matters where two patterns can start at the same place: the first listed wins.
_PATTERNS: tuple[tuple[str, bool, str], ...] = (
    # 第二次/第3次/第N回, not "第二次买/下单/使用" (a second purchase is not a second contact)
    ("ordinal", True, (rf"第\s*(?:[1-9][0-9]+|十[一二三四五六七八九]?|[{_NUM}])\s*(?:次|回|遍)"
                      r"(?!\s*(?:买|购|下单|光顾|回购|入手|使用|用|来买|来店))")),
    ("how_many", True, r"多少\s*(?:次|回|遍)了|三番五次|一催再催"),
    ("times", True, rf"{_CONTACT}了?\s*{_TIMES}|{_TIMES}(?:了)?\s*{_CONTACT}"),
    ("promise", True, r"(?:上次|上回|之前|前天|昨天)\s*(?:说好|答应|承诺|保证|说了|说过)"),
    ("urged", True, r"催(?:了|过|促)"),
    # nobody answered / dealt with it (strong); "物流一直没更新" describes a state (weak, below)
    ("all_along", True, r"一直(?:都)?(?:没|不)(?:有)?人?(?:回|理|处理|答复|联系|解决|给我?(?:说法|答复|回复|处理))"),
    ("contact_again", True, (r"再次(?:联系|咨询|反馈|投诉|询问|找)|(?:又|再)(?:来|找|问)(?:你们|一次|了)"
                            r"|又来(?:问|找|催|咨询|反馈|投诉|联系)")),
    ("still_none", True, r"还是没有|仍然没有|依然没有"),
    # 又 + a verb of contact or of the same failure; coordination 又X又Y is removed in find_chasing
    ("again", True, r"又(?:是|没|不|要|让|说|一次|双叒|拖|延期|延迟|找|问|催)"),  # not 又来买 (a return customer)
    # the problem happening again (又坏了, 又显示, 又被扣): a repeated problem, not necessarily a repeated contact
    ("again_event", False, r"又(?:出|坏|被|给|得|发|错|变|卡|断|漏|少|丢|退|显示|提示|扣)"),
    ("promised", False, r"说好的"),
    ("all_along_state", False, r"一直(?:都)?(?:没|不)"),
    ("times_weak", False, _TIMES),
    ("still_not", False, r"还没|还是没|仍未|尚未"),
    ("until_now", False, r"到现在|到今天|至今|到目前"),
)
_RX = re.compile("|".join(f"(?P<k{i}>{p})" for i, (_, _, p) in enumerate(_PATTERNS)))
_COORDINATION = re.compile(r"又[^\s又,.!?;:，。！？；：]{1,3}又")  # 又快又好, 又贵又难用
_NOT_AGAIN = re.compile(r"又(?:称|名|及)")


def find_chasing(text: str) -> tuple[ChasingMatch, ...]:
    """Chasing phrases in ``text`` (already normalised, e.g. ``Normalizer(...)(raw).text``), left to right.

    Spans index into ``text``; map them to the original with
    :meth:`triage.text.normalize.Normalized.span`. Matches do not overlap.
    """
    if not text or len(text) < 2:
        return ()
    coordinated: set[int] = set()
    for m in _COORDINATION.finditer(text):
        coordinated.update((m.start(), m.end() - 1))
    for m in _NOT_AGAIN.finditer(text):
        coordinated.add(m.start())
    out: list[ChasingMatch] = []
    for m in _RX.finditer(text):
        i = int(m.lastgroup[1:]) if m.lastgroup else 0
        kind, strong, _ = _PATTERNS[i]
        if kind in ("again", "again_event") and m.start() in coordinated:
            continue
        out.append(ChasingMatch(m.group(0), m.start(), m.end(), kind, strong))
    return tuple(out)


def is_chasing(matches: Sequence[ChasingMatch]) -> bool:
    """True when the matches are evidence of a repeat: one strong phrase, or two different weak kinds."""
    if any(m.strong for m in matches):
        return True
    return len({m.kind for m in matches}) >= 2
