"""triage.dask and triage.spark: the same output as triage_frame, with the triager loaded once per worker."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pandas as pd
import pytest
from conftest import ROOT

import triage
import triage.dask as tdask
from triage.pipeline import FRAME_COLUMNS

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

NOW = dt.datetime(2026, 9, 30, 9, 0, tzinfo=dt.UTC)
NPARTITIONS = 8


@pytest.fixture(scope="module")
def requests_df() -> pd.DataFrame:
    """The shipped examples (nested order/customer objects, subjects, times) and the written evaluation texts."""
    frames = [pd.read_json(ROOT / "examples" / "requests.jsonl", lines=True),
              pd.read_json(ROOT / "data" / "corpus" / "eval" / "written_C.jsonl", lines=True)]
    df = pd.concat(frames, ignore_index=True)
    df.index = df.index * 3 + 7        # a non-default index, to check it survives
    return df


@pytest.fixture(scope="module")
def expected(triager: triage.Triager, requests_df: pd.DataFrame) -> pd.DataFrame:
    return tdask.conform(triager.triage_frame(requests_df, now=NOW))


def _ddf(df: pd.DataFrame):
    # Dask would otherwise turn the object columns holding dicts (order, customer) into strings.
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_pandas(df, npartitions=NPARTITIONS, sort=False)


_TIE = re.compile(r"\[(.*)\]$")


def _assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Exact equality, reasons and evidence order included (workers run with another PYTHONHASHSEED)."""
    pd.testing.assert_frame_equal(got, want)


# -- schema ------------------------------------------------------------------------------------------------
def test_meta_follows_the_frame_columns(triager: triage.Triager) -> None:
    meta = tdask.frame_meta()
    assert list(meta.columns) == list(FRAME_COLUMNS) and len(meta) == 0
    for names in (tdask._LIST_COLUMNS, tdask._FLOAT_COLUMNS, tdask._BOOL_COLUMNS, tdask._TIME_COLUMNS):
        assert names <= set(FRAME_COLUMNS), f"{sorted(names - set(FRAME_COLUMNS))} are no longer frame columns"
    empty = tdask.conform(triager.triage_frame(pd.DataFrame({"text": pd.Series([], dtype=str)}), now=NOW))
    pd.testing.assert_frame_equal(empty, meta, check_index_type=False)


def test_import_triage_does_not_import_dask() -> None:
    code = "import sys, triage, triage.dask, triage.spark; print(sorted(m for m in ('dask', 'distributed', 'pyspark') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_stringified_nested_columns_warn(requests_df: pd.DataFrame) -> None:
    with dask.config.set({"dataframe.convert-string": True}):
        ddf = dd.from_pandas(requests_df, npartitions=2)
    with pytest.warns(UserWarning, match="convert-string"):
        tdask.triage_dask(ddf, now=NOW)


def test_load_arguments_are_checked() -> None:
    with pytest.raises(TypeError, match="no argument"):
        tdask.load_arguments(rule="rules")
    args = tdask.load_arguments(rules="rules")
    assert args["rules"] == str(ROOT / "rules") or args["rules"].endswith("/rules")
    assert len(args["model_sha256"]) == 64            # pinned to this machine's shipped model


# -- local schedulers --------------------------------------------------------------------------------------
def test_threads_scheduler_loads_once(requests_df: pd.DataFrame, expected: pd.DataFrame,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    loads = []
    real = tdask._load
    monkeypatch.setattr(tdask, "_load", lambda args: loads.append(1) or real(args))
    out = tdask.triage_dask(_ddf(requests_df), now=NOW)
    assert out.npartitions == NPARTITIONS
    pd.testing.assert_frame_equal(out._meta, tdask.frame_meta())
    got = out.compute(scheduler="threads")
    assert loads == [1]                                # one triager shared by every thread and partition
    pd.testing.assert_frame_equal(got, expected)       # same process: no hash-order caveat


# -- distributed -------------------------------------------------------------------------------------------
def test_local_cluster_same_output_loaded_once_per_worker(requests_df: pd.DataFrame,
                                                          expected: pd.DataFrame) -> None:
    ddf = _ddf(requests_df)
    lazy = tdask.triage_dask(ddf, now=NOW, max_chars=20_000)   # built with no client: loads on first use
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0",
                                  worker_dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        out = tdask.triage_dask(ddf, now=NOW, client=client)  # registers the plugin: loads on every worker now
        got = out.compute()
        got_lazy = lazy.compute()

        stats = tdask.worker_stats(client)
        assert len(stats) == 2
        eager = tdask._key(tdask.load_arguments())
        lazy_key = tdask._key(tdask.load_arguments(max_chars=20_000))
        for addr, per_key in stats.items():
            assert per_key[eager]["loads"] == 1, (addr, per_key)            # at plugin setup, not per partition
            assert per_key.get(lazy_key, {"loads": 0})["loads"] <= 1, (addr, per_key)
        assert sum(s[eager]["partitions"] for s in stats.values()) == NPARTITIONS
        assert sum(s[lazy_key]["partitions"] for s in stats.values() if lazy_key in s) == NPARTITIONS
        assert max(s[eager]["partitions"] for s in stats.values()) > 1       # a worker reused its triager

        with pytest.raises(triage.ModelError):                               # raised here, not mid-job
            tdask.register(client, model=str(ROOT / "no-such-model"))
        plugins = client.run(lambda dask_worker: sorted(p for p in dask_worker.plugins if p.startswith("triage-")))
        assert all(names == [f"triage-{eager}"] for names in plugins.values()), plugins   # the failed one is gone

    pd.testing.assert_frame_equal(got_lazy, got)
    _assert_same(got, expected)


# -- Spark ---------------------------------------------------------------------------------------------------
def test_spark_map_batches(requests_df: pd.DataFrame, expected: pd.DataFrame,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    import triage.spark as tspark

    loads = []
    real = tspark._load
    monkeypatch.setattr(tspark, "_load", lambda args: loads.append(1) or real(args))
    fn = tspark.mapper(now=NOW)
    batches = [requests_df.iloc[i:i + 100].reset_index(drop=True) for i in range(0, len(requests_df), 100)]
    outs = list(fn(iter(batches)))
    assert loads == [1]                                # once per Spark task, not per batch
    assert [len(o) for o in outs] == [len(b) for b in batches]
    got = pd.concat(outs, ignore_index=True)
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True))
    names = [part.split(" ")[0] for part in tspark.schema().split(", ")]
    assert names == list(FRAME_COLUMNS) == list(got.columns)
    assert "categories array<string>" in tspark.schema() and "received_at timestamp" in tspark.schema()
