"""The ``triage`` command. Argument parsing, progress and output formats only; the work is in the library.

::

    triage demo                          triage the shipped example requests, print a table
    triage explain "我的快递一周了还没到"   one decision with its reasons
    triage run FILE [-o out.jsonl|out.csv]   JSONL or CSV in (- for stdin), one decision per line out
    triage train DATA... -o MODEL_DIR    train a model (CSV/JSONL files or folders of them)
    triage evaluate MODEL_DIR DATA...    per-category precision/recall/F1, abstention, confusion matrix
    triage rules check DIR               validate a rule pack
    triage rules test DIR CASES.yaml     run example cases with expected outcomes
    triage rules diff OLD NEW TICKETS    replay past tickets through two packs, count what changes
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

__all__ = ["main"]


def _progress(iterable: Any, *, total: int | None, desc: str, enabled: bool) -> Any:
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="req", file=sys.stderr)


def _load(args: argparse.Namespace) -> Any:
    import triage

    return triage.load(rules=args.rules, model=args.model)


def _parse_now(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    from ._parse import parse_time

    return parse_time(value, "--now")


def _read_rows(path: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, row or None, error or None) for each input line; never stops on a bad line."""
    fh: TextIO
    if path == "-":
        fh = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        is_csv = False
    else:
        p = Path(path)
        fh = p.open(encoding="utf-8-sig", errors="replace", newline="")
        is_csv = p.suffix.lower() == ".csv"
    with fh:
        if is_csv:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None or "text" not in reader.fieldnames:
                yield 1, None, f"CSV header has no 'text' column (got {reader.fieldnames})"
                return
            for row in reader:
                yield reader.line_num, {k: v for k, v in row.items() if k is not None}, None
        else:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno})"
                    continue
                if isinstance(obj, str):
                    obj = {"text": obj}
                if not isinstance(obj, dict):
                    yield lineno, None, f"expected a JSON object with 'text', got {type(obj).__name__}"
                    continue
                yield lineno, obj, None


def _count_lines(path: str) -> int | None:
    if path == "-":
        return None
    with open(path, "rb") as fh:
        return sum(1 for _ in fh)


def cmd_run(args: argparse.Namespace) -> int:
    from .errors import TriageError
    from .pipeline import FRAME_COLUMNS, decision_row
    from .types import Request

    t = _load(args)
    now = _parse_now(args.now)
    out_csv = args.output is not None and args.output.endswith(".csv")
    out: TextIO = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    failed = 0
    writer = csv.DictWriter(out, fieldnames=["line", *FRAME_COLUMNS]) if out_csv else None
    if writer:
        writer.writeheader()
    show = sys.stderr.isatty() and not args.quiet
    try:
        rows = _progress(_read_rows(args.file), total=_count_lines(args.file) if show else None, desc="triage",
                         enabled=show)
        for lineno, row, error in rows:
            decision = None
            if error is None:
                try:
                    decision = t.triage(Request.from_dict(row), now=now)  # type: ignore[arg-type]
                except TriageError as exc:
                    error = str(exc)
            if error is not None:
                failed += 1
            if writer:
                flat = decision_row(decision) if decision else {"error": error}
                writer.writerow({"line": lineno, **{k: _cell(flat.get(k)) for k in FRAME_COLUMNS}})
            else:
                rec = {"line": lineno, **decision.to_dict()} if decision else {"line": lineno, "error": error}
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    if failed:
        print(f"triage: {failed} line(s) could not be triaged; see their error records", file=sys.stderr)
    return 1 if failed else 0


def _cell(v: Any) -> Any:
    if isinstance(v, list):
        return "; ".join(map(str, v))
    if isinstance(v, dt.datetime):
        return v.isoformat()
    return v


def _width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _fit(s: str, width: int) -> str:
    out, w = "", 0
    for c in s:
        cw = _width(c)
        if w + cw > width - (1 if len(s) > len(out) + 1 else 0):
            return out + "…" + " " * (width - w - 1)
        out += c
        w += cw
    return out + " " * (width - w)


def cmd_demo(args: argparse.Namespace) -> int:
    from importlib import resources

    from .types import Request

    t = _load(args)
    packaged = resources.files("triage").joinpath("_data", "examples", "requests.jsonl")
    path = Path(str(packaged)) if packaged.is_file() else Path(__file__).resolve().parent.parent / "examples" / \
        "requests.jsonl"
    now = _parse_now(args.now) or dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(f"{t!r}\n")
    cols = (("#", 3), ("channel", 11), ("text", 34), ("category", 17), ("conf", 5), ("pri", 3), ("queue", 12),
            ("first response", 14), ("tags", 30))
    print("  ".join(_fit(name, w) for name, w in cols))
    print("  ".join("-" * w for _, w in cols))
    for i, row in enumerate(rows, 1):
        d = t.triage(Request.from_dict(row), now=now)
        fr = d.sla.get("first_response")
        cells = (str(i), d.channel or "-", row["text"].replace("\n", " "),
                 d.category + ("?" if d.needs_review else ""), f"{d.confidence:.2f}", str(d.priority), d.queue,
                 f"{fr.due:%m-%d %H:%M}" if fr else "-", ",".join(d.tags))
        print("  ".join(_fit(c, w) for c, (_, w) in zip(cells, cols, strict=True)))
    print(f"\n{len(rows)} requests (received {now:%Y-%m-%d %H:%M %Z}); '?' = needs human review. "
          "See the reasons of any one with: triage explain \"TEXT\"")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from .types import Customer, Request

    t = _load(args)
    customer = Customer(tier=args.tier) if args.tier else None
    req = Request(text=args.text, subject=args.subject, channel=args.channel, customer=customer,
                  received_at=_parse_now(args.now))
    d = t.triage(req)
    if args.json:
        print(json.dumps(d.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(d.explain())
    return 0


def _gather_data(paths: list[str]) -> Any:
    import pandas as pd

    from .classify.train import read_labelled

    frames: list[Any] = []
    for p in paths:
        path = Path(p)
        files = sorted(f for f in path.rglob("*") if f.suffix in (".jsonl", ".csv")) if path.is_dir() else [path]
        frames.extend(read_labelled(f) for f in files)
    if not frames:
        raise SystemExit(f"triage: no .jsonl or .csv files in {', '.join(paths)}")
    return pd.concat(frames, ignore_index=True)


def _corrections(store_path: str, *, weight: float = 1.0, only_changed_category: bool = False) -> Any:
    """The corrections in a history store as labelled rows (rows without stored text are skipped, and counted)."""
    import pandas as pd

    from .history import SQLiteStore

    if not Path(store_path).is_file():
        raise SystemExit(f"triage: no history store at {store_path}")
    with SQLiteStore(store_path) as store:
        got = list(store.corrections())
    rows = [c.to_row(weight=weight) for c in got if c.text and (c.category or not only_changed_category)]
    skipped = sum(1 for c in got if not c.text)
    if skipped:
        print(f"{skipped} correction(s) without stored text skipped (store opened with store_text=False)",
              file=sys.stderr)
    return pd.DataFrame(rows, columns=["text", "subject", "category", "priority", "channel", "weight",
                                       "request_id"])


def cmd_train(args: argparse.Namespace) -> int:
    import pandas as pd

    from .classify.train import train

    df = _gather_data(args.data)
    source = ", ".join(args.data)
    if args.with_corrections:
        fixes = _corrections(args.with_corrections, weight=args.correction_weight)
        print(f"adding {len(fixes)} agent correction(s) from {args.with_corrections}, weight "
              f"{args.correction_weight:g}", file=sys.stderr)
        if "weight" not in df.columns:
            df = df.assign(weight=1.0)
        df = pd.concat([df, fixes.drop(columns=["request_id"])], ignore_index=True)
        source += f" + corrections from {args.with_corrections}"
    trained = train(df, model=args.estimator, C=args.C if args.C == "auto" else float(args.C), name=args.name,
                    version=args.version, urgency_precision=args.urgency_precision, progress=not args.quiet,
                    source=source)
    out = trained.save(args.output, include_estimator=not args.without_estimator)
    m = trained.manifest["metrics"]
    print(f"saved {out} ({m['rows']} rows, {len(trained.classifier.labels)} categories); cross-validated "
          f"accuracy {m.get('cv_accuracy', float('nan')):.3f}, macro-F1 {m.get('cv_macro_f1', float('nan')):.3f}")
    urgency = trained.manifest.get("urgency")
    if urgency and urgency.get("trained"):
        cv = urgency["cv"]
        print("urgency head: thresholds " + ", ".join(f"{k} {v:.2f}" for k, v in urgency["thresholds"].items())
              + "; out-of-fold " + ", ".join(f"{k} precision {v['precision']:.3f} recall {v['recall']:.3f}"
                                             for k, v in cv.items()))
    elif urgency:
        print(f"no urgency head: {urgency['reason']}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .classify.evaluate import evaluate_model

    if args.corrected:
        df = _corrections(args.corrected, only_changed_category=True)
        if df.empty:
            raise SystemExit(f"triage: no category corrections in {args.corrected}")
        print(f"{len(df)} request(s) whose category an agent corrected:")
    else:
        if not args.data:
            raise SystemExit("triage: give labelled files, or --corrected STORE")
        df = _gather_data(args.data)
    report = evaluate_model(args.model_dir, df, confusion_png=args.confusion or None, progress=not args.quiet)
    print(report.text())
    if "priority" in df.columns and not args.no_pipeline and not args.corrected:
        import triage

        from .classify.evaluate import evaluate_priority

        t = triage.load(rules=args.rules, model=args.model_dir)
        print()
        print(evaluate_priority(t, df, progress=not args.quiet).text())
    return 0


def cmd_sla(args: argparse.Namespace) -> int:
    import datetime as dt

    import pandas as pd

    from .pack import load_pack
    from .sla.frame import sla_frame

    def read(path: str) -> pd.DataFrame:
        p = Path(path)
        if p.suffix == ".csv":
            return pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""])
        return pd.read_json(p, lines=True, dtype=False)

    now = _parse_now(args.now) or dt.datetime.now(dt.UTC)
    states = sla_frame(read(args.tickets), now, load_pack(args.rules),
                       events=read(args.events) if args.events else None)
    states.to_csv(args.output or sys.stdout, index=False)
    bad = int(states["error"].notna().sum()) if "error" in states.columns else 0
    if bad:
        print(f"{bad} ticket(s) could not be read; see the error column", file=sys.stderr)
        return 1
    return 0


def _add_report_arguments(p: argparse.ArgumentParser) -> None:
    from .analytics.report import add_report_arguments

    add_report_arguments(p)


def _report_command(args: argparse.Namespace) -> int:
    from .analytics.report import report_command

    return report_command(args)


def cmd_rules_check(args: argparse.Namespace) -> int:
    from .errors import RuleError
    from .pack import load_pack

    try:
        pack = load_pack(args.dir)
    except RuleError as exc:
        print(exc, file=sys.stderr)
        return 1
    counts = {s: len(pack.engine.by_stage[s]) for s in ("tags", "priority", "routing")}
    print(f"{pack.tag}: OK — {counts['tags']} tag, {counts['priority']} priority, {counts['routing']} routing "
          f"rules; {len(pack.keywords.keywords)} keywords; {len(pack.sla.policies)} SLA policies on "
          f"{len(pack.sla.calendars)} calendars")
    return 0


def cmd_rules_test(args: argparse.Namespace) -> int:
    import triage

    from .packtools import run_cases

    t = triage.load(rules=args.dir, model=args.model)
    results = run_cases(t, args.cases, now=_parse_now(args.now))
    for r in results:
        mark = "ok  " if r.passed else "FAIL"
        print(f"{mark} {r.where}  {r.text[:40]}")
        for f in r.failures:
            print(f"       {f}")
    failed = sum(not r.passed for r in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def cmd_rules_diff(args: argparse.Namespace) -> int:
    import pandas as pd

    import triage

    from .packtools import diff_packs

    old = triage.load(rules=args.old, model=args.model)
    new = triage.load(rules=args.new, model=args.model)
    path = Path(args.tickets)
    tickets = pd.read_csv(path, dtype=str, keep_default_na=False) if path.suffix == ".csv" else \
        pd.read_json(path, lines=True, dtype=False)
    diff = diff_packs(old, new, tickets, now=_parse_now(args.now), progress=sys.stderr.isatty())
    print(f"{old.rules_version} → {new.rules_version}")
    print(diff.text())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="triage", description="Triage Chinese customer-service requests.")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_pack(p: argparse.ArgumentParser) -> None:
        p.add_argument("--rules", help="rule pack folder (default: the shipped pack)")
        p.add_argument("--model", help="model bundle folder (default: the shipped model)")
        p.add_argument("--now", help="receipt time for requests without one (ISO 8601; default: now)")

    p = sub.add_parser("run", help="triage a JSONL or CSV file (- for stdin)")
    p.add_argument("file")
    p.add_argument("-o", "--output", help="write here (.csv for CSV, else JSONL); default stdout")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    with_pack(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="triage the shipped example requests")
    with_pack(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("explain", help="show one decision and its reasons")
    p.add_argument("text")
    p.add_argument("--subject")
    p.add_argument("--channel")
    p.add_argument("--tier", help="customer tier, e.g. vip")
    p.add_argument("--json", action="store_true", help="print the decision as JSON")
    with_pack(p)
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("train", help="train a model on labelled CSV/JSONL")
    p.add_argument("data", nargs="+", help="files or folders with text and category columns")
    p.add_argument("-o", "--output", required=True, help="model bundle folder to write")
    p.add_argument("--model", dest="estimator", choices=("linear_svc", "logistic_regression"), default="linear_svc")
    p.add_argument("--C", default="auto",
                   help="inverse regularisation strength, or 'auto' to choose it by cross-validation (default)")
    p.add_argument("--name", default="custom")
    p.add_argument("--version", default="0.1.0")
    p.add_argument("--with-corrections", metavar="STORE",
                   help="also learn from the agents' corrections in this history store (SQLite file)")
    p.add_argument("--correction-weight", type=float, default=3.0,
                   help="sample weight of a corrected request (default 3: a known mistake counts more)")
    p.add_argument("--urgency-precision", type=float, default=0.8,
                   help="out-of-fold precision the urgency thresholds must reach (default 0.8); lower finds more "
                        "P1/P2 requests, higher raises fewer")
    p.add_argument("--without-estimator", action="store_true",
                   help="leave the scikit-learn pipeline (estimator.skops, ~40 MB) out of the bundle; serving "
                        "never reads it")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="evaluate a model on labelled CSV/JSONL")
    p.add_argument("model_dir")
    p.add_argument("data", nargs="*")
    p.add_argument("--corrected", metavar="STORE",
                   help="evaluate on the requests agents corrected in this history store (what the model got "
                        "wrong in production)")
    p.add_argument("--confusion", default="confusion.png", help="confusion-matrix PNG to write ('' for none)")
    p.add_argument("--rules", help="rule pack for the priority evaluation (default: the shipped pack)")
    p.add_argument("--no-pipeline", action="store_true",
                   help="skip the whole-pipeline priority evaluation even if the data has a priority column")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("sla", help="SLA state of every ticket in a CSV/JSONL (one row per ticket and metric)")
    p.add_argument("tickets")
    p.add_argument("--events", help="long-form events: ticket_id, at, type, value")
    p.add_argument("--rules", help="rule pack folder (default: the shipped pack)")
    p.add_argument("--now", help="evaluate at this time (ISO 8601; default: now)")
    p.add_argument("-o", "--output", help="CSV file (default stdout)")
    p.set_defaults(func=cmd_sla)

    p = sub.add_parser("report", help="one self-contained HTML report for managers (charts, summary, tables)")
    _add_report_arguments(p)
    p.set_defaults(func=_report_command)

    rules = sub.add_parser("rules", help="rule pack tools")
    rsub = rules.add_subparsers(dest="rules_command", required=True)
    p = rsub.add_parser("check", help="validate a rule pack")
    p.add_argument("dir")
    p.set_defaults(func=cmd_rules_check)
    p = rsub.add_parser("test", help="run example cases (text + expected outcome) against a rule pack")
    p.add_argument("dir")
    p.add_argument("cases")
    p.add_argument("--model", help="model bundle folder (default: the shipped model)")
    p.add_argument("--now", help="receipt time for cases without one")
    p.set_defaults(func=cmd_rules_test)
    p = rsub.add_parser("diff", help="replay past tickets through two rule packs and show what changes")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("tickets", help="CSV or JSONL with a text column")
    p.add_argument("--model", help="model bundle folder (default: the shipped model)")
    p.add_argument("--now", help="receipt time for tickets without one")
    p.set_defaults(func=cmd_rules_diff)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``triage`` command; returns the exit code."""
    from .errors import TriageError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except TriageError as exc:
        print(f"triage: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `triage run x.jsonl | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
