"""The shipped classifier on the project's own data: quality and single-request cost.

* trains with the shipped settings on ``data/corpus/train`` (hand-written + generated)
  and, as an ablation, on the hand-written rows only;
* reports cross-validated (training) and held-out (``data/corpus/eval``, written
  separately, never trained on) accuracy and macro-F1, and the gap between them;
* times one request through scikit-learn's ``pipeline.predict_proba([doc])`` and
  through the compiled scorer, on the same features, in the same run.

    python benchmarks/bench_classifier.py [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load(folder: str):  # type: ignore[no-untyped-def]
    import pandas as pd

    return pd.concat([pd.read_json(p, lines=True) for p in sorted((ROOT / folder).glob("*.jsonl"))],
                     ignore_index=True)


def held_out(trained, df):  # type: ignore[no-untyped-def]
    from triage.classify.evaluate import evaluate_predictions
    from triage.pipeline import model_text
    from triage.text.normalize import Normalizer

    norm, clf, tok = Normalizer(), trained.classifier, trained.tokenizer
    preds, review = [], []
    subjects = df["subject"] if "subject" in df.columns else [None] * len(df)
    for text, subject in zip(df["text"], subjects, strict=True):
        subject = subject if isinstance(subject, str) and subject else None
        t = model_text(norm(text).text, norm(subject).text if subject else None)
        p = clf.predict(t, tok.cut(t))
        preds.append(p.category)
        review.append(p.needs_review)
    return evaluate_predictions(df["category"].tolist(), preds, review, clf.labels)


def median_us(fn, items) -> float:  # type: ignore[no-untyped-def]
    times = []
    for it in items:
        t0 = time.perf_counter()
        fn(it)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()

    from triage.classify.train import prepare_docs, train
    from triage.text.normalize import Normalizer

    train_df, eval_df = load("data/corpus/train"), load("data/corpus/eval")
    written = train_df[train_df.get("source").fillna("") != "template"] if "source" in train_df else train_df
    results = {}
    print(f"training rows {len(train_df)} ({len(written)} hand-written), evaluation rows {len(eval_df)}\n")
    print(f"{'trained on':<26} {'CV acc':>7} {'CV F1':>7} {'eval acc':>9} {'eval F1':>8} {'gap':>6} "
          f"{'vague→review':>13} {'review rate':>12}")
    print("-" * 96)
    shipped = None
    for name, df in (("all (shipped settings)", train_df), ("hand-written only", written)):
        t0 = time.perf_counter()
        trained = train(df)
        secs = time.perf_counter() - t0
        m = trained.manifest["metrics"]
        rep = held_out(trained, eval_df)
        gap = m["cv_accuracy"] - rep.accuracy
        print(f"{name:<26} {m['cv_accuracy']:>7.3f} {m['cv_macro_f1']:>7.3f} {rep.accuracy:>9.3f} "
              f"{rep.macro_f1:>8.3f} {gap:>+6.3f} {rep.vague_needs_review:>13.3f} {rep.abstention_rate:>12.3f}")
        results[name] = {"cv_accuracy": m["cv_accuracy"], "cv_macro_f1": m["cv_macro_f1"],
                         "eval_accuracy": rep.accuracy, "eval_macro_f1": rep.macro_f1,
                         "vague_needs_review": rep.vague_needs_review, "review_rate": rep.abstention_rate,
                         "train_seconds": secs}
        shipped = shipped or trained
    assert shipped is not None
    clf, tok = shipped.classifier, shipped.tokenizer
    texts = eval_df["text"].tolist()[:500]
    docs = prepare_docs(texts, None, normalizer=Normalizer(), tokenizer=tok, char_ngrams=clf.char_ngrams,
                        word_bigrams=clf.word_bigrams)
    sk = median_us(lambda d: shipped.pipeline.predict_proba([d]), docs)
    ours = median_us(lambda d: clf.scorer.proba(d.split(" ")), docs)
    print(f"\nsingle request, same features, median of {len(docs)} evaluation messages:")
    print(f"  scikit-learn pipeline.predict_proba([doc])  {sk:>8.1f} µs")
    print(f"  compiled scorer                              {ours:>8.1f} µs   ratio {sk / ours:.1f}x")
    results["single_request_us"] = {"sklearn": sk, "compiled": ours, "ratio": sk / ours}
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
