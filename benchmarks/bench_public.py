"""The classifier engine against the reference methods on real Chinese reviews.

Reads ``../shared/data/public/online_shopping_10_cats.csv`` (never copied into the
project; the benchmark skips cleanly when it is absent), predicts ``cat`` (10
product categories), split as the corpus README says: shuffle with
``random_state=0``, first 80% train, last 20% test. In one run it trains and
scores, on the same split:

* TF-IDF over jieba words + LinearSVC(C=0.5)           (reference, README: 0.893)
* TF-IDF over character 1–3-grams + LinearSVC(C=0.5)   (reference, README: 0.900)
* triage's own training code (``triage.classify.train.train``), unchanged

and prints macro-F1, training time and single-request prediction cost
(triage's compiled scorer vs scikit-learn's ``predict_proba`` on one request).

    python benchmarks/bench_public.py [--limit N] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "public" / "online_shopping_10_cats.csv"


def split(limit: int | None):  # type: ignore[no-untyped-def]
    import pandas as pd

    df = pd.read_csv(DATA).dropna(subset=["review"])
    df = df.sample(frac=1.0, random_state=0).reset_index(drop=True)
    if limit:
        df = df.head(limit)
    cut = int(len(df) * 0.8)
    return df.iloc[:cut], df.iloc[cut:]


def per_call(fn, items, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    """Median seconds per call of fn(item)."""
    import statistics

    times = []
    for _ in range(repeat):
        for it in items:
            t0 = time.perf_counter()
            fn(it)
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="use only the first N shuffled rows (quick check)")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    if not DATA.is_file():
        print(f"SKIP: {DATA} not found (the public corpora live in ../shared/data/public/)")
        return 0

    import jieba
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score
    from sklearn.svm import LinearSVC

    from triage.classify.train import prepare_docs, train
    from triage.pipeline import model_text
    from triage.text.normalize import Normalizer

    jieba.setLogLevel(60)
    train_df, test_df = split(args.limit)
    y_tr, y_te = train_df["cat"].to_numpy(), test_df["cat"].to_numpy()
    print(f"online_shopping_10_cats: {len(train_df)} train / {len(test_df)} test, {len(set(y_tr))} labels")
    rows = []

    tk = jieba.Tokenizer()
    tk.initialize()
    t0 = time.perf_counter()
    words_vec = TfidfVectorizer(tokenizer=tk.lcut, token_pattern=None, lowercase=False)
    svc_w = LinearSVC(C=0.5).fit(words_vec.fit_transform(train_df["review"]), y_tr)
    fit_w = time.perf_counter() - t0
    pred_w = svc_w.predict(words_vec.transform(test_df["review"]))
    rows.append(("TF-IDF jieba words + LinearSVC", f1_score(y_te, pred_w, average="macro"), fit_w))

    t0 = time.perf_counter()
    char_vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    svc_c = LinearSVC(C=0.5).fit(char_vec.fit_transform(train_df["review"]), y_tr)
    fit_c = time.perf_counter() - t0
    pred_c = svc_c.predict(char_vec.transform(test_df["review"]))
    rows.append(("TF-IDF char 1-3 + LinearSVC", f1_score(y_te, pred_c, average="macro"), fit_c))

    t0 = time.perf_counter()
    trained = train(train_df.rename(columns={"review": "text", "cat": "category"})[["text", "category"]],
                    name="public", reject_label=None)
    fit_t = time.perf_counter() - t0
    clf = trained.classifier
    norm = Normalizer()
    tok = trained.tokenizer
    test_texts = test_df["review"].tolist()
    pred_t = []
    for text in test_texts:
        n = model_text(norm(text).text, None)
        pred_t.append(clf.predict(n, tok.cut(n)).category)
    rows.append(("triage (words + chars, LinearSVC + temperature)", f1_score(y_te, np.array(pred_t), average="macro"),
                 fit_t))

    sample = test_texts[:300]
    docs = prepare_docs(sample, None, normalizer=norm, tokenizer=tok, char_ngrams=clf.char_ngrams,
                        word_bigrams=clf.word_bigrams)
    sk_one = per_call(lambda d: trained.pipeline.predict_proba([d]), docs)
    ours_one = per_call(lambda d: clf.scorer.proba(d.split(" ")), docs)
    full_one = per_call(lambda t: clf.predict(model_text(norm(t).text, None), tok.cut(norm(t).text)), sample)

    print()
    print(f"{'method':<46} {'macro-F1':>9} {'train s':>8}")
    print("-" * 65)
    for name, f1, secs in rows:
        print(f"{name:<46} {f1:>9.3f} {secs:>8.1f}")
    print(f"{'fastText (README figure, not run here)':<46} {0.872:>9.3f} {'-':>8}")
    best_ref = max(rows[0][1], rows[1][1])
    ours = rows[2][1]
    print()
    search = trained.manifest["model"]["C_search"]
    print(f"triage chose C={trained.manifest['model']['C']} by 5-fold CV on the training part "
          f"(out-of-fold macro-F1: {', '.join(f'{k}: {v:.4f}' for k, v in search.items())})")
    print(f"triage macro-F1 {ours:.3f} vs best reference {best_ref:.3f}: "
          f"{'BEATS' if ours > best_ref else 'DOES NOT BEAT'} both; target >= 0.90: {'PASS' if ours >= 0.90 else 'FAIL'}")
    print()
    print("single request, same features (median of 300):")
    print(f"  scikit-learn pipeline.predict_proba([doc])   {sk_one * 1e6:>8.1f} µs")
    print(f"  triage compiled scorer                        {ours_one * 1e6:>8.1f} µs   "
          f"({sk_one / ours_one:.0f}x faster)")
    print(f"  triage normalise + tokenise + score           {full_one * 1e6:>8.1f} µs")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "macro_f1": {name: f1 for name, f1, _ in rows}, "train_seconds": {name: s for name, _, s in rows},
            "chosen_C": trained.manifest["model"]["C"], "C_search": search,
            "single_request_us": {"sklearn": sk_one * 1e6, "compiled": ours_one * 1e6, "full": full_one * 1e6},
        }, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
