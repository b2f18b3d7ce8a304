"""Worker processes for ``triage_many(..., workers=N)`` and ``triage_frame(..., workers=N)``.

The calling process triages chunks too, alongside ``workers - 1`` pool processes.
The loaded :class:`~triage.pipeline.Triager` reaches each pool process once, when the
pool starts: with the ``fork`` start method (Linux) the child inherits the
parent's loaded model, rules and tokenizer as they are, nothing is pickled or
re-initialised; elsewhere (``spawn``, e.g. Windows) the triager travels as the
arguments :func:`triage.load` was given, the model pinned to the same manifest,
and each worker loads it once, never per row. Rows travel in chunks; results
come back in input order.

The worker's triager lives in this module's ``_LOCAL``: the one piece of
module-level state in triage, and it exists only inside pool worker processes
(set by the pool initializer, never in the parent).
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import pickle
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt

    from .pipeline import Triager

__all__ = ["parallel_map", "gc_paused"]

_LOCAL: dict[str, Any] = {}


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for an eager batch, then restore it as it was.

    Triage creates no reference cycles (a test checks a batch leaves nothing for the
    collector), but a batch keeps every decision it has made, and each full collection
    re-scans all of them: at 100,000 requests that is 12-15% of the batch's time, and
    in ``workers=N`` it lands on the caller, which is also receiving results. Reference
    counting frees everything as usual meanwhile. Only the eager calls (``triage_many``,
    ``triage_frame``) pause it; the lazy ``iter_triage`` never does, since the caller's
    own code runs between its items.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _init(triager: Triager) -> None:
    _LOCAL["triager"] = triager
    # Everything the worker inherited (model, rules, the caller's data) is old: leave it out of every
    # collection, which would otherwise re-scan it and, after fork, copy the pages it touches.
    gc.freeze()


def _run(job: tuple[Callable[..., list[Any]], int, Sequence[Any], dt.datetime]) -> bytes:
    # Pickled here, with the collector paused, rather than by the pool after this returns: with the
    # collector running, pickling a chunk's decisions cost 60 µs a row instead of 23.
    fn, offset, rows, now = job
    with gc_paused():
        return pickle.dumps(fn(_LOCAL["triager"], offset, rows, now), protocol=pickle.HIGHEST_PROTOCOL)


def _chunks(n: int, chunksize: int, workers: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of chunks of at most ``chunksize`` rows, shrinking towards the end.

    Guided scheduling: each chunk is at most a ``4 * workers``-th of what is left, so
    the last chunks are small and no process sits idle while another finishes a full one.
    """
    smallest = min(chunksize, 50)
    start = 0
    while start < n:
        size = min(chunksize, max(smallest, -(-(n - start) // (4 * workers))))
        yield start, min(n, start + size)
        start += size


def parallel_map(triager: Triager, fn: Callable[..., list[Any]], rows: Sequence[Any], now: dt.datetime, *,
                 workers: int, chunksize: int) -> Iterator[Any]:
    """``fn(triager, offset, chunk, now)`` over chunks of ``rows`` in ``workers`` processes, results in order.

    The calling process is one of the ``workers``: it starts ``workers - 1`` pool
    processes, keeps each of them two chunks ahead, and triages a chunk itself
    whenever they are busy. A caller that only waited would still spend a core on
    receiving results, which on a two-core machine is the core a second worker needs.
    """
    jobs = [(fn, i, rows[i:j], now) for i, j in _chunks(len(rows), chunksize, workers)]
    if workers < 2 or len(jobs) < 2:
        for job in jobs:
            yield from fn(triager, *job[1:])
        return
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    ahead = 2 * (workers - 1)
    with ProcessPoolExecutor(max_workers=workers - 1, mp_context=ctx, initializer=_init,
                             initargs=(triager,)) as pool:
        slots: deque[Future[bytes] | list[Any]] = deque()  # one per started job, in job order
        nxt = 0
        while nxt < len(jobs) or slots:
            busy = sum(1 for s in slots if isinstance(s, Future) and not s.done())
            while nxt < len(jobs) and busy < ahead:
                slots.append(pool.submit(_run, jobs[nxt]))
                busy += 1
                nxt += 1
            while slots and (isinstance(slots[0], list) or slots[0].done()):
                head = slots.popleft()
                yield from (head if isinstance(head, list) else pickle.loads(head.result()))
            if not slots:
                continue
            if nxt < len(jobs):  # the pool is full: triage the next chunk here
                slots.append(fn(triager, *jobs[nxt][1:]))
                nxt += 1
            else:
                wait([slots[0]], return_when=FIRST_COMPLETED)  # type: ignore[list-item]
