"""Shared fixtures: one loaded triager for the session, and a small model trained here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings

import triage

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


@pytest.fixture(scope="session")
def triager() -> triage.Triager:
    """The shipped model and default rule pack, loaded once."""
    return triage.load()


@pytest.fixture(scope="session")
def small_model(tmp_path_factory: pytest.TempPathFactory):
    """A model trained in the test session on 40 rows per label of the shipped training corpus."""
    import pandas as pd

    from triage.classify.train import read_labelled, train

    frames = [read_labelled(p) for p in sorted((ROOT / "data" / "corpus" / "train").glob("*.jsonl"))]
    df = pd.concat(frames, ignore_index=True)
    df = df.groupby("category", group_keys=False).head(40).reset_index(drop=True)
    trained = train(df, name="small", version="0.0.1")
    path = trained.save(tmp_path_factory.mktemp("model") / "small")
    return trained, path, df


@pytest.fixture
def at():
    """at(2026, 9, 30, 17) → an Asia/Shanghai datetime."""
    def make(*args: int) -> dt.datetime:
        return dt.datetime(*args, tzinfo=SHANGHAI)
    return make
