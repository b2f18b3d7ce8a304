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


def test_sla_command_reports_states_per_ticket_and_metric(tmp_path: Path) -> None:
    tickets = tmp_path / "tickets.csv"
    tickets.write_text("ticket_id,created_at,priority,channel,category,first_reply_at\n"
                       "T1,2026-11-20T10:00:00+08:00,P3,email,logistics,2026-11-20T11:00:00+08:00\n"
                       "T2,2026-11-20T10:00:00+08:00,P1,wechat,quality,\n"
                       "T3,not a time,P3,email,logistics,\n", encoding="utf-8")
    out = tmp_path / "states.csv"
    code = main(["sla", str(tickets), "--now", "2026-11-23T10:00:00+08:00", "-o", str(out)])
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert code == 1  # one bad row, reported, not dropped
    state = {(r["ticket_id"], r["metric"]): r["state"] for r in rows}
    assert state[("T1", "first_response")] == "met"
    assert state[("T2", "first_response")] == "breached" and state[("T2", "resolution")] == "breached"
    assert any(r["ticket_id"] == "T3" and "created_at" in r["error"] for r in rows)


def test_corrections_feed_training_and_evaluation(tmp_path: Path, small_model) -> None:
    import datetime as dt

    import triage
    from triage import Customer, Request

    _, model_path, df = small_model
    store = tmp_path / "history.db"
    t = triage.load(model=model_path, store=store)
    now = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    texts = ["这个能开专票吗", "发票抬头写错了能改吗", "能不能开增值税发票"]
    for i, text in enumerate(texts):
        t.triage(Request(id=f"R{i}", text=text, customer=Customer(id="c1"), received_at=now))
        t.correct(f"R{i}", category="payment", agent="a1")
    out = run("evaluate", str(model_path), "--corrected", str(store), "-q", "--confusion", "")
    assert out.returncode == 0, out.stderr
    assert "3 request(s) whose category an agent corrected" in out.stdout
    data = tmp_path / "train.jsonl"
    df.to_json(data, orient="records", lines=True, force_ascii=False)
    retrained = tmp_path / "m2"
    out = run("train", str(data), "-o", str(retrained), "--with-corrections", str(store), "--C", "1", "-q",
              "--without-estimator")
    assert out.returncode == 0, out.stderr
    assert "adding 3 agent correction(s)" in out.stderr
    manifest = json.loads((retrained / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["training_data"]["rows"] == len(df) + 3 and "corrections" in manifest["training_data"]["source"]
