"""Jieba-compatible word segmentation with a customer-service dictionary.

Each :class:`Tokenizer` owns its own segmenter instance; nothing global is
touched, so two tokenizers with different dictionaries can live in one process.
Backends:

``rjieba``
    The Rust port of jieba (jieba-rs). Same dictionary and algorithm family,
    about 17x faster; the default when installed.
``jieba``
    The reference Python implementation (jieba 0.42.1).

The two agree on ~98.6% of real messages but not all, so a model records the
backend it was trained with and is not silently served with the other.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.metadata
import importlib.util
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError

__all__ = ["Tokenizer", "Token", "default_user_dict", "BACKENDS"]

Token = tuple[str, int, int]
"""A word and its ``[start, end)`` offsets in the text that was segmented."""

BACKENDS = ("rjieba", "jieba")


def default_user_dict() -> str:
    """The shipped customer-service dictionary, as text (jieba format)."""
    return resources.files("triage.text").joinpath("userdict.txt").read_text(encoding="utf-8")


def _parse_user_dict(text: str, source: str) -> list[tuple[str, int | None, str | None]]:
    entries: list[tuple[str, int | None, str | None]] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        word = parts[0]
        freq: int | None = None
        tag: str | None = None
        if len(parts) > 1:
            if parts[1].isdigit():
                freq = int(parts[1])
                tag = parts[2] if len(parts) > 2 else None
            elif len(parts) == 2:
                tag = parts[1]
            else:
                raise ConfigError(f"{source}:{lineno}: expected 'word [frequency] [tag]', got {raw!r}")
        entries.append((word, freq, tag))
    return entries


def _rjieba_class() -> type:
    """rjieba's ``Jieba`` class, without running ``import rjieba`` when that can be avoided.

    The package's ``__init__`` builds a module-level default segmenter that triage
    never uses (each :class:`Tokenizer` builds its own): 0.1 s of every cold start and
    about 23 MB. So the compiled module is loaded alone, under its own name
    (``rjieba.rjieba``), where a later ``import rjieba`` finds and reuses it. Any
    other package layout falls back to the plain import.
    """
    module = sys.modules.get("rjieba.rjieba")
    if module is None:
        spec = importlib.util.find_spec("rjieba")
        folders = list(spec.submodule_search_locations or ()) if spec is not None else []
        candidates = [os.path.join(folder, "rjieba" + suffix) for folder in folders
                      for suffix in importlib.machinery.EXTENSION_SUFFIXES]
        path = next((c for c in candidates if os.path.isfile(c)), None)
        ext = importlib.util.spec_from_file_location("rjieba.rjieba", path) if path else None
        if ext is None or ext.loader is None:
            import rjieba

            return rjieba.Jieba  # type: ignore[no-any-return]
        module = importlib.util.module_from_spec(ext)
        ext.loader.exec_module(module)
        module = sys.modules.setdefault("rjieba.rjieba", module)
    return module.Jieba  # type: ignore[no-any-return]


def _available(backend: str) -> bool:
    try:
        importlib.metadata.version(backend)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


class Tokenizer:
    """Segments normalised text into words with offsets.

    Parameters
    ----------
    backend:
        ``"rjieba"``, ``"jieba"`` or ``"auto"`` (rjieba when installed).
    user_dict:
        Dictionary text in jieba's format (``word [freq] [tag]`` per line), a
        path to such a file, or ``None`` for none. Defaults to the shipped
        customer-service dictionary.
    words:
        Extra words to add.

    The segmenter is built on first use (or by :meth:`warm_up`) under a lock;
    after that the instance is read-only and serves many threads. Pickling
    keeps only the configuration, so a tokenizer can be sent to worker
    processes, where it is rebuilt once.
    """

    def __init__(self, *, backend: str = "auto", user_dict: str | os.PathLike[str] | None = "default",
                 words: Iterable[str] = ()) -> None:
        if backend == "auto":
            backend = "rjieba" if _available("rjieba") else "jieba"
        if backend not in BACKENDS:
            raise ConfigError(f"tokenizer backend must be one of {', '.join(BACKENDS)} or 'auto'; got {backend!r}")
        if user_dict == "default":
            dict_text, source = default_user_dict(), "triage/text/userdict.txt"
        elif user_dict is None:
            dict_text, source = "", "<none>"
        elif isinstance(user_dict, os.PathLike) or (isinstance(user_dict, str) and "\n" not in user_dict
                                                     and Path(user_dict).is_file()):
            dict_text, source = Path(user_dict).read_text(encoding="utf-8"), str(user_dict)
        else:
            dict_text, source = str(user_dict), "<text>"
        self.backend = backend
        self.user_dict_text = dict_text
        self._entries = _parse_user_dict(dict_text, source) + [(w, None, None) for w in words]
        self._impl: Any = None
        self._lock = threading.Lock()

    # -- identity -------------------------------------------------------------------------------
    @property
    def backend_version(self) -> str:
        return importlib.metadata.version(self.backend)

    @property
    def dictionary_hash(self) -> str:
        """SHA-256 over the user dictionary entries (the backend's own dictionary is fixed per version)."""
        h = hashlib.sha256()
        for word, freq, tag in self._entries:
            h.update(f"{word}\t{freq}\t{tag}\n".encode())
        return h.hexdigest()

    def __repr__(self) -> str:
        return f"Tokenizer(backend={self.backend!r}, user_words={len(self._entries)})"

    def __getstate__(self) -> dict[str, Any]:
        return {"backend": self.backend, "user_dict_text": self.user_dict_text, "entries": self._entries}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.backend = state["backend"]
        self.user_dict_text = state["user_dict_text"]
        self._entries = state["entries"]
        self._impl = None
        self._lock = threading.Lock()

    # -- building ------------------------------------------------------------------------------
    def warm_up(self) -> Tokenizer:
        """Build the segmenter now rather than on the first call. Returns ``self``."""
        self._segmenter()
        return self

    def _segmenter(self) -> Any:
        impl = self._impl
        if impl is not None:
            return impl
        with self._lock:
            if self._impl is None:
                self._impl = self._build()
            return self._impl

    def _build(self) -> Any:
        if self.backend == "rjieba":
            seg = _rjieba_class()()
            for word, freq, tag in self._entries:
                seg.add_word(word, freq, tag)
            return seg
        import jieba

        # jieba logs "Building prefix dict..." at DEBUG to stderr; quieten only its own logger.
        logging.getLogger("jieba").setLevel(logging.WARNING)
        seg = jieba.Tokenizer()
        cache_dir = Path(tempfile.gettempdir()) / f"triage-jieba-{os.getuid() if hasattr(os, 'getuid') else 'u'}"
        cache_dir.mkdir(mode=0o700, exist_ok=True)
        seg.tmp_dir = str(cache_dir)  # never the shared /tmp/jieba.cache
        seg.initialize()
        for word, freq, tag in self._entries:
            seg.add_word(word, freq, tag)
        return seg

    # -- use -----------------------------------------------------------------------------------
    def tokenize(self, text: str) -> list[Token]:
        """Words of ``text`` with offsets; ``"".join(words) == text`` always holds."""
        if not text:
            return []
        seg = self._segmenter()
        if self.backend == "rjieba":
            return seg.tokenize(text, "default", True)  # type: ignore[no-any-return]
        return list(seg.tokenize(text, mode="default", HMM=True))

    def cut(self, text: str) -> list[str]:
        """Only the words."""
        if not text:
            return []
        seg = self._segmenter()
        if self.backend == "rjieba":
            return seg.cut(text, True)  # type: ignore[no-any-return]
        return seg.lcut(text, HMM=True)  # type: ignore[no-any-return]
