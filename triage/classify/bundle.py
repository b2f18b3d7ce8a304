"""Model bundles: a directory with the fitted model as plain data and a manifest.

::

    MODEL_DIR/
      manifest.json      what the model is: labels, thresholds, tokenizer, training data hash,
                         metrics, library versions, and the SHA-256 of every other file
      vocabulary.json    feature strings, in column order
      weights.npz        idf, coefficients, intercepts (NumPy arrays, read with allow_pickle=False);
                         the urgency head's arrays (``urgency_*``) when the model has one
      userdict.txt       the tokenizer dictionary the model was trained with
      estimator.skops    the scikit-learn pipeline itself (optional; for inspection and retraining)

Serving reads only JSON and ``.npz`` arrays: nothing is unpickled, so a model
file cannot run code. Every file is checked against the manifest's SHA-256
before it is read, and a changed file is refused. The scikit-learn pipeline
(``estimator.skops``) is loaded only on request, through skops with an
explicit allowlist of types.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelError, ModelIntegrityError

if TYPE_CHECKING:
    from ..text.tokenize import Tokenizer
    from .model import Classifier
    from .train import TrainedModel

__all__ = ["save_bundle", "load_bundle", "load_estimator", "verify_bundle", "TRUSTED_TYPES"]

FORMAT = "triage-model/1"
MAX_MANIFEST_BYTES = 1 << 20
_DATA_FILES = ("vocabulary.json", "weights.npz", "userdict.txt")

# Types estimator.skops may contain. Changed only by code review; a test checks the
# shipped model needs nothing else.
TRUSTED_TYPES = frozenset({
    "triage.classify.estimator.TemperatureScaledClassifier",
    "sklearn.pipeline.Pipeline",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.svm._classes.LinearSVC",
    "numpy.float64",
    "numpy.int64",
    "numpy.dtype",
    "builtins.slice",
})


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def save_bundle(trained: TrainedModel, directory: str | os.PathLike[str], *, include_estimator: bool = True) -> Path:
    """Write ``trained`` as a bundle into ``directory`` (created; existing bundle files replaced).

    ``include_estimator=False`` leaves out ``estimator.skops`` (serving never reads it).
    """
    import numpy as np
    import skops.io as sio

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    scorer = trained.classifier.scorer
    vocab_list = [""] * len(scorer.vocabulary)
    for feat, j in scorer.vocabulary.items():
        vocab_list[j] = feat
    (out / "vocabulary.json").write_text(json.dumps(vocab_list, ensure_ascii=False, separators=(",", ":")),
                                         encoding="utf-8")
    arrays = {"idf": scorer.idf, "coef": scorer.coef, "intercept": scorer.intercept,
              "beta": np.array([scorer.beta]), "labels": np.array(scorer.labels, dtype=str)}
    urgency = trained.classifier.urgency
    if urgency is not None:
        arrays.update(urgency_coef=urgency.coef, urgency_intercept=urgency.intercept,
                      urgency_beta=np.array([urgency.beta]), urgency_labels=np.array(urgency.labels, dtype=str))
    with (out / "weights.npz").open("wb") as fh:
        np.savez_compressed(fh, **arrays)
    (out / "userdict.txt").write_text(trained.tokenizer.user_dict_text, encoding="utf-8")
    files = list(_DATA_FILES)
    stale = out / "estimator.skops"
    if stale.exists() and not include_estimator:
        stale.unlink()
    if trained.pipeline is not None and include_estimator:
        vectorizer = trained.pipeline.steps[0][1]
        if getattr(vectorizer, "stop_words_", None) is not None:
            vectorizer.stop_words_ = None  # features pruned by min_df: only for introspection (sklearn docs)
        sio.dump(trained.pipeline, out / "estimator.skops")
        files.append("estimator.skops")
    manifest = dict(trained.manifest)
    manifest["files"] = {name: _sha256(out / name) for name in files}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out


def _read_manifest(directory: Path, expected_sha256: str | None) -> dict[str, Any]:
    path = directory / "manifest.json"
    if not directory.is_dir():
        raise ModelError(f"{directory}: not a model directory (expected a folder with manifest.json)")
    if not path.is_file():
        raise ModelError(f"{directory}: no manifest.json; not a triage model bundle")
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise ModelError(f"{path}: manifest larger than {MAX_MANIFEST_BYTES} bytes; refusing to read it")
    raw = path.read_bytes()
    if expected_sha256 is not None and hashlib.sha256(raw).hexdigest() != expected_sha256.lower():
        raise ModelIntegrityError(f"{path}: SHA-256 {hashlib.sha256(raw).hexdigest()} is not the expected "
                                  f"{expected_sha256}; refusing to load")
    try:
        manifest = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        got = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise ModelError(f"{path}: format must be {FORMAT!r}, got {got!r}")
    for key in ("name", "version", "labels", "thresholds", "tokenizer", "features", "files"):
        if key not in manifest:
            raise ModelError(f"{path}: manifest lacks {key!r}")
    return manifest


def verify_bundle(directory: str | os.PathLike[str], *, expected_sha256: str | None = None) -> dict[str, Any]:
    """Check every file of a bundle against its manifest; return the manifest.

    Raises
    ------
    ModelIntegrityError
        A file is missing or its SHA-256 differs from the manifest.
    ModelError
        The manifest is missing or malformed.
    """
    d = Path(directory)
    manifest = _read_manifest(d, expected_sha256)
    files = manifest["files"]
    if not isinstance(files, Mapping):
        raise ModelError(f"{d / 'manifest.json'}: 'files' must map file names to SHA-256")
    for name in _DATA_FILES:
        if name not in files:
            raise ModelError(f"{d / 'manifest.json'}: 'files' does not list {name}")
    for name, digest in files.items():
        if "/" in name or "\\" in name or name.startswith("."):
            raise ModelError(f"{d / 'manifest.json'}: file name {name!r} must be a plain name in the bundle")
        p = d / name
        if not p.is_file():
            raise ModelIntegrityError(f"{p}: listed in the manifest but missing")
        actual = _sha256(p)
        if actual != digest:
            raise ModelIntegrityError(f"{p}: SHA-256 is {actual}, the manifest says {digest}; the file was "
                                      "changed after the model was saved, refusing to load it")
    return manifest


def load_bundle(directory: str | os.PathLike[str], *, expected_sha256: str | None = None,
                tokenizer_backend: str | None = None) -> tuple[Classifier, Tokenizer]:
    """Verify and load a bundle; return the classifier and the tokenizer it was trained with.

    Parameters
    ----------
    expected_sha256:
        Pin the manifest itself (the hash of ``manifest.json``), for bundles from elsewhere.
    tokenizer_backend:
        Serve with this backend even if the model was trained with another one.
        By default the model's own backend is required, and its absence is an error.
    """
    import numpy as np

    from ..text.tokenize import Tokenizer, _available
    from .model import Classifier
    from .scorer import LinearHead, LinearScorer

    d = Path(directory)
    manifest = verify_bundle(d, expected_sha256=expected_sha256)
    trained_backend = manifest["tokenizer"]["backend"]
    backend = tokenizer_backend or trained_backend
    if not _available(backend):
        raise ModelError(f"{d}: the model was trained with the {trained_backend!r} tokenizer, which is not "
                         f"installed (pip install {trained_backend}); pass tokenizer_backend=... to serve it "
                         "with another backend knowingly")
    vocab_list = json.loads((d / "vocabulary.json").read_text(encoding="utf-8"))
    if not isinstance(vocab_list, list) or not set(map(type, vocab_list)) <= {str}:
        raise ModelError(f"{d / 'vocabulary.json'}: expected a JSON list of strings")
    urgency_keys = ("urgency_coef", "urgency_intercept", "urgency_beta", "urgency_labels")
    try:
        with np.load(d / "weights.npz", allow_pickle=False) as z:
            arrays = {k: z[k] for k in ("idf", "coef", "intercept", "beta", "labels")}
            if "urgency_coef" in z.files:
                arrays.update({k: z[k] for k in urgency_keys})
    except (ValueError, KeyError, OSError) as exc:
        raise ModelError(f"{d / 'weights.npz'}: unreadable weights ({exc})") from None
    labels = tuple(str(s) for s in arrays["labels"])
    n_feat, n_cls = arrays["coef"].shape
    if n_feat != len(vocab_list) or arrays["idf"].shape != (n_feat,) or arrays["intercept"].shape != (n_cls,) \
            or len(labels) != n_cls:
        raise ModelError(f"{d}: weights ({arrays['coef'].shape}) do not match the vocabulary ({len(vocab_list)}) "
                         f"and labels ({len(labels)})")
    scorer = LinearScorer(vocabulary=dict(zip(vocab_list, range(n_feat))), idf=arrays["idf"],
                          coef=np.ascontiguousarray(arrays["coef"]), intercept=arrays["intercept"],
                          beta=float(arrays["beta"][0]), labels=labels)
    urgency = None
    if "urgency_coef" in arrays:
        u_labels = tuple(str(x) for x in arrays["urgency_labels"])
        if arrays["urgency_coef"].shape != (n_feat, len(u_labels)) or \
                arrays["urgency_intercept"].shape != (len(u_labels),):
            raise ModelError(f"{d / 'weights.npz'}: the urgency head's weights do not match the vocabulary")
        urgency = LinearHead(coef=np.ascontiguousarray(arrays["urgency_coef"]), intercept=arrays["urgency_intercept"],
                             beta=float(arrays["urgency_beta"][0]), labels=u_labels)
    thr = manifest["thresholds"]
    classifier = Classifier(
        scorer=scorer, name=str(manifest["name"]), version=str(manifest["version"]),
        reject_label=manifest.get("reject_label"), thresholds=dict(thr["categories"]),
        min_confidence=float(thr["min_confidence"]), min_margin=float(thr["min_margin"]),
        char_ngrams=tuple(manifest["features"]["char_ngrams"]),  # type: ignore[arg-type]
        word_bigrams=bool(manifest["features"].get("word_bigrams", False)),
        reject_at=float(thr.get("reject", 1.0)), manifest=manifest, urgency=urgency,
        urgency_thresholds={k: float(v) for k, v in (manifest.get("urgency") or {}).get("thresholds", {}).items()})
    tokenizer = Tokenizer(backend=backend, user_dict=(d / "userdict.txt").read_text(encoding="utf-8"))
    if tokenizer.dictionary_hash != manifest["tokenizer"]["dictionary_sha256"]:
        raise ModelIntegrityError(f"{d / 'userdict.txt'}: dictionary hash differs from the manifest")
    return classifier, tokenizer


def load_estimator(directory: str | os.PathLike[str]) -> Any:
    """Load the bundle's scikit-learn pipeline through skops, allowing only :data:`TRUSTED_TYPES`."""
    import skops.io as sio

    d = Path(directory)
    manifest = verify_bundle(d)
    if "estimator.skops" not in manifest["files"]:
        raise ModelError(f"{d}: this bundle has no estimator.skops")
    path = d / "estimator.skops"
    untrusted = set(sio.get_untrusted_types(file=path))
    extra = untrusted - TRUSTED_TYPES
    if extra:
        raise ModelError(f"{path}: contains types outside the allowlist: {sorted(extra)}; refusing to load")
    return sio.load(path, trusted=sorted(untrusted))
