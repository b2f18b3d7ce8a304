"""The `triage` command, as a user runs it."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from triage.cli import main


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "triage", *args], input=stdin, capture_output=True, text=True,
                          timeout=300)


def test_run_jsonl_keeps_order_and_reports_bad_lines(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([
        json.dumps({"text": "我的快递一周了还没到", "id": "a"}, ensure_ascii=False),
        "{not json",
        json.dumps({"subject": "no text here"}),
        json.dumps("APP闪退", ensure_ascii=False),
        json.dumps({"text": "退款还没到账", "received_at": "2026-09-30T17:00:00+08:00", "channel": "email"},
                   ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    out = run("run", str(src), "--now", "2026-11-23T10:00:00+08:00")
    assert out.returncode == 1
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [x["line"] for x in lines] == [1, 2, 3, 4, 5]
    assert lines[0]["category"] == "logistics" and lines[0]["request_id"] == "a"
    assert "not valid JSON" in lines[1]["error"] and "text" in lines[2]["error"]
    assert lines[3]["category"] == "technical"
    assert lines[4]["sla"]["resolution"]["due"].startswith("2026-10-")
    assert "2 line(s) could not be triaged" in out.stderr


def test_run_csv_to_csv_from_stdin(tmp_path: Path) -> None:
    out_file = tmp_path / "out.csv"
    out = run("run", "-", "-o", str(out_file), stdin='{"text": "账号被盗了"}\n{"text": "在吗"}\n')
    assert out.returncode == 0, out.stderr
    with out_file.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["category"] for r in rows][0] == "account_security"
    assert rows[1]["needs_review"] == "True" and rows[1]["queue"] == "人工复核"


def test_run_csv_input(tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("id,text,channel\n1,发票开错了要重开,email\n2,\"你好，这个有货吗\",web_chat\n", encoding="utf-8")
    out = run("run", str(src))
    assert out.returncode == 0, out.stderr
    assert [json.loads(x)["request_id"] for x in out.stdout.splitlines()] == ["1", "2"]


def test_demo_prints_a_table() -> None:
    out = run("demo")
    assert out.returncode == 0, out.stderr
    assert "我的快递一周了还没到" in out.stdout and "logistics" in out.stdout
    assert len([line for line in out.stdout.splitlines() if line[:3].strip().isdigit()]) >= 30


def test_explain_shows_reasons_with_matched_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "再不处理我就去12315投诉你们，退款十天了还没到账", "--channel", "app_chat"]) == 0
    out = capsys.readouterr().out
    assert "threat_regulator" in out and "「12315」@" in out and "priority" in out


def test_rules_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check", str(Path(__file__).parent.parent / "rules")]) == 0
    assert "OK" in capsys.readouterr().out
    (tmp_path / "pack.yaml").write_text("name: x\nversion: '1'\ninclude: [r.yaml]\n", encoding="utf-8")
    (tmp_path / "r.yaml").write_text("priority:\n  - id: a\n    then: {raise_to: P9}\n", encoding="utf-8")
    assert main(["rules", "check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'r.yaml'}:3:" in err and "P9" in err


def test_train_and_evaluate(tmp_path: Path, small_model) -> None:
    _, _, df = small_model
    data = tmp_path / "train.jsonl"
    df.to_json(data, orient="records", lines=True, force_ascii=False)
    model_dir = tmp_path / "model"
    assert main(["train", str(data), "-o", str(model_dir), "-q"]) == 0
    assert (model_dir / "manifest.json").is_file()
    png = tmp_path / "cm.png"
    out = run("evaluate", str(model_dir), str(data), "--confusion", str(png), "-q")
    assert out.returncode == 0, out.stderr
    assert "macro-F1" in out.stdout and "precision" in out.stdout
    assert png.stat().st_size > 1000
