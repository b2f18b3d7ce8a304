"""The installed wheel works outside the source tree: rules, model and examples are package data."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_carries_its_data_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    wheel = next(tmp_path.glob("triage-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("triage/_data/rules/pack.yaml", "triage/_data/rules/holidays/cn.yaml",
                     "triage/_data/models/default/manifest.json", "triage/_data/models/default/weights.npz",
                     "triage/_data/examples/requests.jsonl", "triage/text/userdict.txt", "triage/py.typed"):
        assert required in names, required
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import triage, pathlib; t = triage.load(); d = t.triage('我的快递一周了还没到'); "
            "print(pathlib.Path(triage.__file__).parent.parent, d.category)")
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    where, category = out.stdout.split()
    assert Path(where) == site and category == "logistics"
