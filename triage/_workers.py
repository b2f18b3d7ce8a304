"""Worker processes for ``triage_many(..., workers=N)`` and ``triage_frame(..., workers=N)``.

The loaded :class:`~triage.pipeline.Triager` reaches each worker once, when the
pool starts: with the ``fork`` start method (Linux) the child inherits the
parent's loaded model, rules and tokenizer as they are, nothing is pickled or
re-initialised; elsewhere (``spawn``) the triager is pickled once per worker and
its tokenizer re-initialised once per worker, never per row. Rows travel in
chunks; results come back in input order.

The worker's triager lives in this module's ``_LOCAL``: the one piece of
module-level state in triage, and it exists only inside pool worker processes
(set by the pool initializer, never in the parent).
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt

    from .pipeline import Triager

__all__ = ["parallel_map"]

_LOCAL: dict[str, Any] = {}


def _init(triager: Triager) -> None:
    _LOCAL["triager"] = triager


def _run(job: tuple[Callable[..., list[Any]], int, Sequence[Any], dt.datetime]) -> list[Any]:
    fn, offset, rows, now = job
    return fn(_LOCAL["triager"], offset, rows, now)


def parallel_map(triager: Triager, fn: Callable[..., list[Any]], rows: Sequence[Any], now: dt.datetime, *,
                 workers: int, chunksize: int) -> Iterator[Any]:
    """``fn(triager, offset, chunk, now)`` over chunks of ``rows`` in ``workers`` processes, results in order."""
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    jobs = [(fn, i, rows[i:i + chunksize], now) for i in range(0, len(rows), chunksize)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init,
                             initargs=(triager,)) as pool:
        for out in pool.map(_run, jobs):
            yield from out
