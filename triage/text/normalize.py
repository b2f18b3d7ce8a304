"""Text normalisation for matching and features.

``normalize(text)`` applies, in order:

1. Unicode NFKC, character by character (full-width letters, digits and
   punctuation become ASCII; ``①`` becomes ``1``);
2. removal of format characters (category ``Cf``: zero-width spaces, joiners,
   BOM, bidi marks) and of control characters other than whitespace;
3. ASCII lower-casing;
4. whitespace runs collapsed to one space, none at the ends;
5. Traditional → Simplified Chinese (OpenCC ``t2s``) when a converter is given.

It is idempotent, and :class:`Normalized` remembers where each normalised
character came from so positions found in the normalised text (entities,
matched keywords) can be reported against the customer's original text, which
is never altered.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Normalized", "Normalizer", "normalize"]

VERSION = "1"  # bump when the output of normalize() changes; recorded in model manifests


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised text and its alignment to the original.

    ``origin[i]`` is the index in ``original`` of normalised character ``i``;
    ``origin`` is ``None`` when the alignment is the identity.
    """

    original: str
    text: str
    origin: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the normalised text to the original text."""
        if self.origin is None:
            return start, end
        if start >= len(self.origin):
            return len(self.original), len(self.original)
        o_start = self.origin[start]
        o_end = self.origin[end - 1] + 1 if end > start else o_start
        # a normalised char can come from a longer original run (e.g. collapsed spaces)
        return o_start, max(o_end, o_start)


_WS = frozenset(" \t\n\r\x0b\x0c\u00a0\u1680\u2028\u2029\u3000\u202f\u205f") | frozenset(
    chr(c) for c in range(0x2000, 0x200B))


@functools.lru_cache(maxsize=8192)  # a pure function of one character: memoised, bounded, thread-safe
def _char_map(ch: str) -> str:
    """What one original character becomes before whitespace collapsing and t2s."""
    if ch in _WS:
        return " "
    cat = unicodedata.category(ch)
    if cat == "Cf" or cat == "Cs" or (cat == "Cc"):
        return ""
    out = unicodedata.normalize("NFKC", ch)
    if out != ch:
        # NFKC may itself produce spaces or format characters (e.g. U+FE4F)
        out = "".join(" " if c in _WS else c for c in out
                      if unicodedata.category(c) not in ("Cf", "Cc", "Cs"))
    if out.isascii():
        out = out.lower()
    return out


# Characters the slow path must see: ASCII capitals, control (Cc), format (Cf) and surrogate (Cs)
# characters, and whitespace other than U+0020. Generated from unicodedata; a test checks it against
# the running Python's Unicode database.
_SPECIAL = (
    "\\u0000-\\u001f\\u007f-\\u00a0\\u00ad\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890-\\u0891\\u08e2"
    "\\u1680\\u180e\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u2064\\u2066-\\u206f\\u3000\\ud800-\\udfff"
    "\\ufeff\\ufff9-\\ufffb\\U000110bd\\U000110cd\\U00013430-\\U00013438\\U0001bca0-\\U0001bca3"
    "\\U0001d173-\\U0001d17a\\U000e0001\\U000e0020-\\U000e007f"
)
_SLOW_RE = re.compile(f"[A-Z{_SPECIAL}]|  |^ | $")


def _needs_slow_path(text: str) -> bool:
    if _SLOW_RE.search(text):
        return True
    return not text.isascii() and unicodedata.normalize("NFKC", text) != text


def _base_normalize(text: str) -> tuple[str, tuple[int, ...] | None]:
    if not _needs_slow_path(text):
        return text, None
    out: list[str] = []
    origin: list[int] = []
    pending_space = -1  # index of the first space of a run not yet written
    for i, ch in enumerate(text):
        mapped = _char_map(ch)
        for c in mapped:
            if c == " ":
                if out and pending_space < 0:  # never a leading space
                    pending_space = i
                continue
            if pending_space >= 0:
                out.append(" ")
                origin.append(pending_space)
                pending_space = -1
            out.append(c)
            origin.append(i)
    s = "".join(out)
    return s, tuple(origin)


class Normalizer:
    """Normalises text; owns its own Traditional→Simplified converter.

    Parameters
    ----------
    t2s:
        Convert Traditional to Simplified Chinese (needs the ``opencc`` package,
        a dependency of ``triage``). The converter is created on first use.
    converter:
        An object with ``convert(str) -> str`` to use instead of OpenCC.
    """

    def __init__(self, *, t2s: bool = True, converter: _Converter | None = None) -> None:
        self.t2s = t2s
        self._converter = converter
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, object]:
        return {"t2s": self.t2s}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(t2s=bool(state["t2s"]))  # type: ignore[misc]

    def _convert_fn(self) -> Callable[[str], str]:
        conv = self._converter
        if conv is None:
            with self._lock:
                if self._converter is None:
                    import opencc

                    self._converter = opencc.OpenCC("t2s")
                conv = self._converter
        return conv.convert

    def __call__(self, text: str) -> Normalized:
        base, origin = _base_normalize(text)
        if self.t2s and base and not base.isascii():
            convert = self._convert_fn()
            converted = convert(base)
            if len(converted) != len(base):
                # phrase conversions that change length: convert char by char to keep alignment
                converted = "".join(convert(c) if len(convert(c)) == 1 else c for c in base)
            if converted != base:
                # conversion must not reintroduce anything normalisation removes (keeps idempotence)
                again, extra = _base_normalize(converted)
                if extra is not None:
                    base_origin = origin if origin is not None else tuple(range(len(text)))
                    origin = tuple(base_origin[j] for j in extra)
                base = again
        if origin is not None and len(origin) == len(text) and base == text:
            origin = None
        return Normalized(text, base, origin)

    def text(self, text: str) -> str:
        """Only the normalised string."""
        return self(text).text


def normalize(text: str, *, t2s: bool = True) -> str:
    """Normalise ``text`` (see the module docstring). Builds a converter per call;
    hold a :class:`Normalizer` for repeated use."""
    return Normalizer(t2s=t2s)(text).text
