"""A worked "bring your own model" example: train a card-payments fraud scorer and export it for Arbiter.

The data is SYNTHETIC, generated here from a fixed seed (no download, same bytes on every run): card
payments with six numeric features and a fraud label drawn from a made-up logistic rule plus noise.
It only exists so the example has something real to train; do not read anything into its numbers.

Writes, next to this file:
  payments-lr/model.onnx   StandardScaler + LogisticRegression (balanced class weights), exported with skl2onnx
  payments-lr/model.json   its model card (registration spec + provenance), ready for ARBITER_MODELS_DIR
  cases.ndjson             40 held-out cases, one {"caseId", "input"} per line (for `arbiter decide`/batch)
  labels.ndjson            their truth, one {"caseId", "label": "fraud"|"legit"} per line (bulk feedback)
  expected.json            scikit-learn's score for each case in cases.ndjson (tests check Arbiter against it)

Run: .tools/train/bin/python demo/byom/train.py   (the pinned env of demo/models/requirements.txt)
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import onnxruntime as ort
import sklearn
from skl2onnx import to_onnx
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

HERE = pathlib.Path(__file__).resolve().parent
NAME = "payments-lr"
SEED = 2026
ROWS = 5000
# Held-out cases written out: a small file a new user can read, with enough fraud in it (10 of 40,
# drawn from the held-out split) that decisions, feedback and stats have something to show.
HOLDOUT_FRAUD, HOLDOUT_LEGIT = 10, 30
OPSET = 17
TOLERANCE = 1e-5
# Column order of the ONNX input tensor: the card's config.features must list them in this order.
FEATURES = ["amount", "hour", "new_device", "country_mismatch", "txn_last_24h", "account_age_days"]
INPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "amount": {"type": "number", "minimum": 0, "description": "payment amount, EUR"},
        "hour": {"type": "integer", "minimum": 0, "maximum": 23, "description": "local hour of the payment"},
        "new_device": {"type": "integer", "minimum": 0, "maximum": 1, "description": "1 if the device is new"},
        "country_mismatch": {"type": "integer", "minimum": 0, "maximum": 1,
                             "description": "1 if the card's and the merchant's countries differ"},
        "txn_last_24h": {"type": "integer", "minimum": 0, "description": "payments on the card in the last 24 h"},
        "account_age_days": {"type": "integer", "minimum": 0, "description": "age of the account, days"},
    },
    "required": FEATURES,
    "additionalProperties": False,
}
SCORE_SCHEMA = {"type": "object", "properties": {"score": {"type": "number"}}, "required": ["score"]}
# The made-up fraud rule: log-odds of fraud = INTERCEPT + sum of these terms + N(0, NOISE) noise.
INTERCEPT, NOISE = -5.2, 0.5
WEIGHTS = {
    "(ln(amount + 1) - 3.6)": 1.3,
    "new_device": 2.8,
    "country_mismatch": 2.8,
    "(txn_last_24h - 2)": 0.55,
    "[hour < 6]": 1.2,  # night: not linear in `hour`, so a linear model can only partly learn it
    "[account_age_days < 60]": 1.5,
}
GENERATOR = (
    f"numpy default_rng({SEED}), {ROWS:,} rows. amount ~ lognormal(3.6, 1.0) EUR, to the cent; hour uniform 0-23; "
    "new_device ~ Bernoulli(0.15); country_mismatch ~ Bernoulli(0.08); txn_last_24h ~ Poisson(2); "
    "account_age_days uniform 0-3650. fraud ~ Bernoulli(sigmoid(z)), z = "
    + " + ".join([str(INTERCEPT)] + [f"{w}*{term}" for term, w in WEIGHTS.items()] + [f"N(0, {NOISE})"])
)


def generate(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Rows in FEATURES order (float64, amounts in whole cents) and labels (1 = fraud)."""
    amount = np.round(rng.lognormal(mean=3.6, sigma=1.0, size=ROWS), 2)
    hour = rng.integers(0, 24, size=ROWS)
    new_device = (rng.random(ROWS) < 0.15).astype(int)
    country_mismatch = (rng.random(ROWS) < 0.08).astype(int)
    txn_last_24h = rng.poisson(2.0, size=ROWS)
    account_age_days = rng.integers(0, 3651, size=ROWS)
    terms = [
        np.log1p(amount) - 3.6,
        new_device,
        country_mismatch,
        txn_last_24h - 2,
        hour < 6,
        account_age_days < 60,
    ]
    z = INTERCEPT + sum(w * t for w, t in zip(WEIGHTS.values(), terms)) + rng.normal(0.0, NOISE, size=ROWS)
    fraud = (rng.random(ROWS) < 1.0 / (1.0 + np.exp(-z))).astype(np.int64)
    X = np.column_stack([amount, hour, new_device, country_mismatch, txn_last_24h, account_age_days]).astype(np.float64)
    return X, fraud


def as_input(row: np.ndarray) -> dict:
    """One case's input as JSON: integers where the schema says integer, amounts to the cent."""
    return {name: (round(float(v), 2) if name == "amount" else int(v)) for name, v in zip(FEATURES, row)}


def write_ndjson(path: pathlib.Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def main() -> None:
    X, y = generate(np.random.default_rng(SEED))
    # ONNX runs in float32 (so does Arbiter's adapter): train and check on exactly those values.
    X32 = X.astype(np.float32)
    X_train, X_test, y_train, y_test, _, X_test64 = train_test_split(
        X32, y, X, test_size=0.2, random_state=SEED, stratify=y
    )
    # Balanced class weights: fraud is rare (~7 %), and without them almost every score sits far below the
    # rule set's 0.4 review threshold. The score is then a risk score, not a calibrated probability.
    lr = LogisticRegression(C=1.0, max_iter=1000, class_weight="balanced")
    model = Pipeline([("scale", StandardScaler()), ("lr", lr)])
    model.fit(X_train, y_train)
    proba = model.predict_proba(X_test)[:, 1]

    onx = to_onnx(model, X_train[:1], options={id(model): {"zipmap": False}},
                  target_opset={"": OPSET, "ai.onnx.ml": 3})
    out = HERE / NAME
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.onnx").write_bytes(onx.SerializeToString())
    sess = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    onnx_proba = sess.run(["probabilities"], {"X": X_test})[0][:, 1]
    max_diff = float(np.max(np.abs(onnx_proba - proba)))
    print(f"onnxruntime vs scikit-learn, max abs diff over {len(y_test)} held-out rows: {max_diff:.3g}")
    assert max_diff < TOLERANCE, max_diff

    metrics = {
        "roc_auc": round(float(roc_auc_score(y_test, proba)), 4),
        "average_precision": round(float(average_precision_score(y_test, proba)), 4),
        "accuracy_at_0.5": round(float(accuracy_score(y_test, proba >= 0.5)), 4),
    }
    split = {"method": "stratified train_test_split", "test_size": 0.2, "seed": SEED,
             "train_rows": int(len(y_train)), "test_rows": int(len(y_test)),
             "fraud_rate": round(float(y.mean()), 4)}
    card = {
        "name": NAME,
        "kind": "onnx",
        "uri": f"{NAME}/model.onnx",
        "config": {"inputName": "X", "features": FEATURES, "output": {"name": "probabilities", "column": 1}},
        "inputSchema": INPUT_SCHEMA,
        "outputSchema": SCORE_SCHEMA,
        "framework": f"scikit-learn {sklearn.__version__} Pipeline(StandardScaler, "
        'LogisticRegression(C=1.0, class_weight="balanced")), '
        f"skl2onnx, opset {OPSET}",
        "trainingData": "SYNTHETIC card payments generated by demo/byom/train.py (not real data).",
        "metrics": metrics,
        "description": "Logistic regression (class-weighted): fraud risk score of a card payment, 0..1; "
        "the bring-your-own-model example.",
        "aliases": ["champion"],
        "card": {
            "data": {"name": "synthetic card payments (demo/byom/train.py)", "synthetic": True,
                     "generator": GENERATOR, "split": split},
            "export_check": {"max_abs_diff_vs_sklearn": max_diff, "tolerance": TOLERANCE},
        },
    }
    (out / "model.json").write_text(json.dumps(card, indent=2) + "\n")

    pick_rng = np.random.default_rng(SEED + 1)
    picked = np.concatenate([
        pick_rng.choice(np.flatnonzero(y_test == 1), HOLDOUT_FRAUD, replace=False),
        pick_rng.choice(np.flatnonzero(y_test == 0), HOLDOUT_LEGIT, replace=False),
    ])
    pick_rng.shuffle(picked)
    ids = [f"pay-{k + 1:04d}" for k in range(len(picked))]
    write_ndjson(HERE / "cases.ndjson", [{"caseId": i, "input": as_input(X_test64[j])} for i, j in zip(ids, picked)])
    write_ndjson(HERE / "labels.ndjson",
                 [{"caseId": i, "label": "fraud" if y_test[j] else "legit"} for i, j in zip(ids, picked)])
    expected = {
        "model": NAME,
        "note": "scikit-learn predict_proba[:, 1] of each case in cases.ndjson (float32 inputs, as ONNX sees them)",
        "tolerance": TOLERANCE,
        "scores": {i: round(float(proba[j]), 9) for i, j in zip(ids, picked)},
    }
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    print(f"{NAME}: {metrics}; fraud rate {split['fraud_rate']}; wrote {len(ids)} held-out cases "
          f"({HOLDOUT_FRAUD} fraud, {HOLDOUT_LEGIT} legit)")

if __name__ == "__main__":
    main()
