"""Assigning a decision to an agent from a roster.

A :class:`Roster` is the one mutable thing in routing: agents go online and
offline and their load changes while a bot triages. It guards itself with a
lock, so one roster can be shared by every thread; picking an agent and
counting the new ticket against their load happen atomically.

Strategies:

``least_loaded`` (default)
    The agent with the lowest load / capacity ratio; ties go to the more senior,
    then to the agent id.
``round_robin``
    Agents of the queue in turn, skipping those who cannot take work.
``weighted``
    Like least-loaded, but load is divided by the agent's ``weight`` (a senior
    agent with weight 2 is offered twice the share).

Never an agent who is offline or at capacity. When nobody can take the
request, the decision stays unassigned and the reason says why.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import Problem, RuleError
from ..types import Reason

__all__ = ["Agent", "Roster", "STRATEGIES"]

STRATEGIES = ("least_loaded", "round_robin", "weighted")


@dataclass(frozen=True, slots=True)
class Agent:
    """One agent: the queues (skill groups) they serve and how much they can take."""

    id: str
    queues: frozenset[str]
    capacity: int = 5
    load: int = 0
    online: bool = True
    seniority: int = 0
    weight: float = 1.0
    name: str | None = None

    @property
    def available(self) -> bool:
        return self.online and self.load < self.capacity


@dataclass
class Roster:
    """Agents and a strategy; thread-safe. Build from Python objects or :meth:`from_yaml`."""

    agents: Iterable[Agent]
    strategy: str = "least_loaded"
    _agents: dict[str, Agent] = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)
    _turn: dict[str, int] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}; got {self.strategy!r}")
        self._agents = {}
        for a in self.agents:
            if a.id in self._agents:
                raise ValueError(f"duplicate agent id {a.id!r}")
            self._agents[a.id] = a
        self.agents = ()

    # -- reading -----------------------------------------------------------------------------------------
    def snapshot(self) -> tuple[Agent, ...]:
        """The agents as they are now."""
        with self._lock:
            return tuple(self._agents.values())

    def __getitem__(self, agent_id: str) -> Agent:
        with self._lock:
            return self._agents[agent_id]

    # -- changes a bot makes -----------------------------------------------------------------------------
    def set_online(self, agent_id: str, online: bool) -> None:
        with self._lock:
            self._agents[agent_id] = replace(self._agents[agent_id], online=online)

    def set_load(self, agent_id: str, load: int) -> None:
        with self._lock:
            self._agents[agent_id] = replace(self._agents[agent_id], load=max(0, load))

    def release(self, agent_id: str) -> None:
        """A ticket of this agent was closed: one less on their load."""
        with self._lock:
            a = self._agents[agent_id]
            self._agents[agent_id] = replace(a, load=max(0, a.load - 1))

    # -- assignment --------------------------------------------------------------------------------------
    def assign(self, queue: str, *, senior_only: bool = False) -> tuple[str | None, Reason]:
        """Pick an agent for ``queue`` and count the ticket on their load, atomically."""
        with self._lock:
            staff = [a for a in self._agents.values() if queue in a.queues]
            if senior_only:
                staff = [a for a in staff if a.seniority > 0]
            ready = [a for a in staff if a.available]
            if not ready:
                offline = sum(1 for a in staff if not a.online)
                full = sum(1 for a in staff if a.online and a.load >= a.capacity)
                why = (f"queued in {queue}: no agent can take it ({len(staff)} in the queue: "
                       f"{offline} offline, {full} at capacity)") if staff else f"queued in {queue}: no agent serves it"
                return None, Reason("assign", self.strategy, why)
            if self.strategy == "round_robin":
                ids = sorted(a.id for a in staff)
                start = self._turn.get(queue, 0)
                pick = next(self._agents[ids[(start + k) % len(ids)]] for k in range(len(ids))
                            if self._agents[ids[(start + k) % len(ids)]].available)
                self._turn[queue] = (ids.index(pick.id) + 1) % len(ids)
            else:
                weighted = self.strategy == "weighted"
                pick = min(ready, key=lambda a: ((a.load / a.capacity) / (a.weight if weighted else 1.0),
                                                 -a.seniority, a.id))
            self._agents[pick.id] = replace(pick, load=pick.load + 1)
            return pick.id, Reason("assign", self.strategy,
                                   f"{pick.id} in {queue} (load {pick.load}/{pick.capacity} → "
                                   f"{pick.load + 1}/{pick.capacity})")

    # -- loading -----------------------------------------------------------------------------------------
    @classmethod
    def from_yaml(cls, path: str | Path) -> Roster:
        """Read a roster::

            strategy: least_loaded
            agents:
              - {id: a1, name: 小王, queues: [物流组, 订单组], capacity: 5, load: 2, online: true, seniority: 1}
        """
        from .yamlio import load_yaml

        data, marks = load_yaml(path)
        return cls.from_mapping(data, marks=marks)

    @classmethod
    def from_mapping(cls, data: Any, *, marks: Any = None) -> Roster:
        from .yamlio import Marks

        marks = marks or Marks("<roster>")
        problems: list[Problem] = []
        if not isinstance(data, Mapping) or not isinstance(data.get("agents"), list):
            raise RuleError([marks.problem((), "a roster needs 'agents': a list of {id, queues, capacity, ...}")])
        strategy = data.get("strategy", "least_loaded")
        if strategy not in STRATEGIES:
            problems.append(marks.problem(("strategy",), f"strategy must be one of {', '.join(STRATEGIES)}"))
        agents = []
        allowed = {"id", "name", "queues", "skills", "capacity", "load", "online", "seniority", "weight"}
        for i, spec in enumerate(data["agents"]):
            p = ("agents", i)
            if not isinstance(spec, Mapping) or not isinstance(spec.get("id"), str | int):
                problems.append(marks.problem(p, "each agent needs an id"))
                continue
            bad = [k for k in spec if k not in allowed]
            for k in bad:
                problems.append(marks.problem((*p, k), f"unknown agent key {k!r}; expected one of "
                                                       f"{', '.join(sorted(allowed))}"))
            queues = spec.get("queues", spec.get("skills", []))
            ints = {k: spec.get(k, d) for k, d in (("capacity", 5), ("load", 0), ("seniority", 0))}
            if not isinstance(queues, list) or not queues or any(isinstance(v, bool) or not isinstance(v, int)
                                                                  for v in ints.values()):
                problems.append(marks.problem(p, "queues must be a non-empty list; capacity, load and seniority "
                                                 "whole numbers"))
                continue
            online = spec.get("online", True)
            if not isinstance(online, bool):
                problems.append(marks.problem((*p, "online"), f"online must be true or false, got {online!r}"))
                continue
            if not bad:
                agents.append(Agent(id=str(spec["id"]), queues=frozenset(map(str, queues)), online=online,
                                    weight=float(spec.get("weight", 1.0)), name=spec.get("name"), **ints))
        if problems:
            raise RuleError(problems)
        return cls(agents, strategy=strategy)
