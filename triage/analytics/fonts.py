"""One CJK font for every chart and report, also on machines with no CJK font installed.

Strategy
--------
Matplotlib's own fonts (DejaVu) have no Chinese glyphs, and most servers, CI
machines and containers have no CJK font either, so labels such as ``物流组``
would come out as empty boxes ("tofu"). ``triage`` therefore depends (extra
``plot``) on the PyPI package ``pylopdf-fonts-zh-cn``, a data-only wheel that
ships **Noto Sans SC** (Google/Adobe, SIL Open Font License 1.1, which allows
redistribution and embedding). At plot time:

1. :func:`cjk_font_path` finds that file (or, failing that, a CJK font the
   system already has, such as Noto Sans CJK, Source Han Sans, WenQuanYi or
   Microsoft YaHei);
2. :func:`font_context` registers it with matplotlib's ``fontManager`` (once;
   registering is idempotent) and yields inside ``matplotlib.rc_context`` with
   ``font.family = [<CJK family>, "DejaVu Sans"]``. Figures are *built* inside
   that context, so every ``Text`` captures the family list in its own
   ``FontProperties`` and keeps it when drawn later (in a notebook, by
   ``savefig``). Nothing global is changed at import, and ``rcParams`` are
   restored when the context ends.

The HTML report embeds the same font, subset to the characters the page uses
(:func:`font_face_css`), so the browser needs no installed CJK font either.

:func:`missing_glyphs` checks a figure: which characters no font of a text
has. Tests use it to prove there is no tofu.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "HTML_FONT_FAMILY",
    "SYSTEM_CJK_FAMILIES",
    "cjk_font_family",
    "cjk_font_path",
    "font_context",
    "font_face_css",
    "missing_glyphs",
]

SYSTEM_CJK_FAMILIES = ("Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN",
                       "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
                       "Heiti SC", "Sarasa Gothic SC")
"""Installed fonts used when the font package is missing, in order of preference."""

HTML_FONT_FAMILY = "TriageCJK"
"""The ``font-family`` name the report's embedded font is declared under."""

_PROBE = "中文物流组"


def _packaged_font() -> Path | None:
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    return path if path.is_file() else None


def _covers(path: str, text: str) -> bool:
    from matplotlib.font_manager import get_font

    try:
        font = get_font(path)
    except (OSError, RuntimeError):
        return False
    return all(font.get_char_index(ord(c)) for c in text)


def cjk_font_path() -> Path | None:
    """The font file used for Chinese text: the packaged Noto Sans SC, else an installed CJK font, else ``None``."""
    packaged = _packaged_font()
    if packaged is not None:
        return packaged
    from matplotlib.font_manager import FontProperties, findfont, fontManager

    for family in SYSTEM_CJK_FAMILIES:
        if not any(f.name == family for f in fontManager.ttflist):
            continue
        try:
            path = findfont(FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        if _covers(path, _PROBE):
            return Path(path)
    return None


def cjk_font_family() -> str | None:
    """Register the CJK font with matplotlib (idempotent) and return its family name; ``None`` if there is none."""
    path = cjk_font_path()
    if path is None:
        return None
    from matplotlib.font_manager import fontManager, get_font

    if not any(Path(f.fname) == path for f in fontManager.ttflist):
        fontManager.addfont(str(path))
    return str(get_font(str(path)).family_name)


@contextmanager
def font_context() -> Iterator[str | None]:
    """Build figures inside this context so their Chinese labels use the CJK font.

    Yields the CJK family name (``None`` when no CJK font could be found: then
    Chinese characters cannot be drawn and matplotlib warns about missing glyphs;
    install ``triage[plot]``).
    """
    import matplotlib

    family = cjk_font_family()
    rc: dict[str, Any] = {"axes.unicode_minus": False, "svg.fonttype": "path"}
    if family is not None:
        rc["font.family"] = [family, "DejaVu Sans"]
    with matplotlib.rc_context(cast(Any, rc)):
        yield family


def _font_paths(prop: object) -> list[str]:
    from matplotlib.font_manager import FontProperties, findfont

    assert isinstance(prop, FontProperties)
    paths: list[str] = []
    for family in prop.get_family():
        p = prop.copy()
        p.set_family(family)
        try:
            path = findfont(p, fallback_to_default=False)
        except ValueError:
            continue
        if path not in paths:
            paths.append(path)
    return paths


def missing_glyphs(fig: Figure) -> list[tuple[str, str]]:
    """``(text, character)`` for every character of a visible text in ``fig`` that none of its fonts can draw.

    An empty list means no tofu. The figure is laid out first, so tick labels
    that matplotlib creates at draw time are checked too.
    """
    from matplotlib.font_manager import get_font
    from matplotlib.text import Text

    fig.draw_without_rendering()
    out: list[tuple[str, str]] = []
    for t in fig.findobj(Text):
        s = t.get_text()
        if not s or not t.get_visible() or (s.startswith("$") and s.endswith("$")):
            continue
        fonts = [get_font(p) for p in _font_paths(t.get_fontproperties())]
        for c in dict.fromkeys(s):
            if c.isspace():
                continue
            if not any(f.get_char_index(ord(c)) for f in fonts):
                out.append((s, c))
    return out


def font_face_css(text: str) -> str:
    """A CSS ``@font-face`` rule embedding the CJK font, subset to the characters of ``text`` (plus ASCII).

    Returns ``""`` when no CJK font is available. The font travels inside the
    page as a base64 WOFF, so the page needs neither a network nor an
    installed font.
    """
    path = cjk_font_path()
    if path is None:
        return ""
    import logging

    from fontTools import subset  # type: ignore[import-untyped]

    chars = "".join(sorted(set(text) | {chr(i) for i in range(0x20, 0x7F)} | set("，。：；、（）《》“”！？—…·％")))
    options = subset.Options()
    options.flavor = "woff"
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = ["*"]
    log = logging.getLogger("fontTools")
    level = log.level
    log.setLevel(logging.ERROR)  # fontTools logs which tables it drops, at WARNING
    buf = io.BytesIO()
    try:
        font = subset.load_font(str(path), options)
        try:
            subsetter = subset.Subsetter(options)
            subsetter.populate(text=chars)
            subsetter.subset(font)
            subset.save_font(font, buf, options)
        finally:
            font.close()
    finally:
        log.setLevel(level)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'@font-face {{ font-family: "{HTML_FONT_FAMILY}"; font-style: normal; font-weight: 100 900; '
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}')
