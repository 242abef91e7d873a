"""Train Arbiter's demo phishing classifier and export it to ONNX.

Data: the "Website Phishing" data set (UCI Machine Learning Repository), as shipped inside the
`river` package (river.datasets.Phishing, 1,250 web pages, 9 features, label is_phishing). It is
read from the installed package, so training needs no network access.

Citation: N. Abdelhamid, A. Ayesh, F. Thabtah. "Phishing detection based Associative
Classification data mining". Expert Systems with Applications 41(13), 2014, 5948-5959.

Outputs (committed, so the demo itself needs no Python):
  demo/models/phishing-gb/model.onnx   the exported GradientBoostingClassifier
  demo/models/phishing-gb/model.json   feature order, split, held-out metrics, export check
  demo/data/phishing-holdout.json      the held-out split, as cases the demo submits
  demo/cases/sample.json               one held-out case for trying things by hand
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import onnxruntime as ort
from river import datasets
from skl2onnx import to_onnx
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import train_test_split

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = ROOT / "demo" / "models" / "phishing-gb"
SEED = 42
TEST_SIZE = 0.2
FEATURES = [
    "empty_server_form_handler",
    "popup_window",
    "https",
    "request_from_other_domain",
    "anchor_from_other_domain",
    "is_popular",
    "long_url",
    "age_of_domain",
    "ip_in_url",
]


def load() -> tuple[np.ndarray, np.ndarray]:
    rows, labels = [], []
    for x, y in datasets.Phishing():
        rows.append([float(x[name]) for name in FEATURES])
        labels.append(int(bool(y)))
    return np.asarray(rows, dtype=np.float32), np.asarray(labels, dtype=np.int64)


def main() -> None:
    X, y = load()
    idx = np.arange(len(y))
    X_train, X_test, y_train, y_test, _, idx_test = train_test_split(
        X, y, idx, test_size=TEST_SIZE, random_state=SEED, stratify=y
    )
    model = GradientBoostingClassifier(n_estimators=150, max_depth=3, learning_rate=0.1, random_state=SEED)
    model.fit(X_train, y_train)
    proba = model.predict_proba(X_test)[:, 1]

    onx = to_onnx(model, X_train[:1], options={id(model): {"zipmap": False}}, target_opset=17)
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    (MODEL_DIR / "model.onnx").write_bytes(onx.SerializeToString())

    sess = ort.InferenceSession(str(MODEL_DIR / "model.onnx"), providers=["CPUExecutionProvider"])
    onnx_proba = sess.run(None, {sess.get_inputs()[0].name: X_test})[1][:, 1]
    max_diff = float(np.max(np.abs(onnx_proba - proba)))
    assert max_diff < 1e-4, f"ONNX export differs from scikit-learn by {max_diff}"

    card = {
        "name": "phishing-gb",
        "version": "1",
        "kind": "onnx",
        "framework": "scikit-learn 1.9.1 GradientBoostingClassifier, skl2onnx 1.20.0, opset 17",
        "task": "binary classification: probability that a web page is a phishing page",
        "data": {
            "name": "Website Phishing (UCI), via river.datasets.Phishing (river 0.26.1)",
            "citation": "N. Abdelhamid, A. Ayesh, F. Thabtah. Phishing detection based Associative "
            "Classification data mining. Expert Systems with Applications 41(13), 2014, 5948-5959.",
            "rows": int(len(y)),
            "positive_rate": round(float(y.mean()), 4),
        },
        "split": {"method": "stratified train_test_split", "test_size": TEST_SIZE, "seed": SEED,
                  "train_rows": int(len(y_train)), "test_rows": int(len(y_test))},
        "input": {"name": sess.get_inputs()[0].name, "dtype": "float32", "features": FEATURES, "range": [0.0, 1.0]},
        "output": {"name": sess.get_outputs()[1].name, "positive_class_index": 1},
        "metrics_heldout": {
            "roc_auc": round(float(roc_auc_score(y_test, proba)), 4),
            "accuracy_at_0.5": round(float(accuracy_score(y_test, proba >= 0.5)), 4),
            "f1_at_0.5": round(float(f1_score(y_test, proba >= 0.5)), 4),
        },
        "export_check": {"max_abs_diff_vs_sklearn": max_diff, "tolerance": 1e-4},
    }
    (MODEL_DIR / "model.json").write_text(json.dumps(card, indent=2) + "\n")

    cases = [
        {
            "caseId": f"phish-{int(i):04d}",
            "input": {name: float(v) for name, v in zip(FEATURES, row)},
            "label": int(label),
            # scikit-learn's own probability, so tests can check the ONNX runtime in Node against it.
            "sklearnScore": round(float(p), 7),
        }
        for i, row, label, p in zip(idx_test, X_test, y_test, proba)
    ]
    (ROOT / "demo" / "data" / "phishing-holdout.json").write_text(json.dumps(cases, indent=1) + "\n")
    sample = {"caseId": cases[0]["caseId"], "input": cases[0]["input"]}
    (ROOT / "demo" / "cases" / "sample.json").write_text(json.dumps(sample, indent=2) + "\n")
    print(json.dumps(card["metrics_heldout"]), f"max|onnx-sklearn|={max_diff:.2e}")


if __name__ == "__main__":
    main()
