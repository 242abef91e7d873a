"""Train Arbiter's demo models on real public data and export them for the registry.

Data: the "Website Phishing" data set (UCI Machine Learning Repository), as shipped inside the
`river` package (river.datasets.Phishing, 1,250 web pages, 9 features, label is_phishing). It is
read from the installed package, so training needs no network access.

Citation: N. Abdelhamid, A. Ayesh, F. Thabtah. "Phishing detection based Associative
Classification data mining". Expert Systems with Applications 41(13), 2014, 5948-5959.

Models (one directory each under demo/models/, with a registry-ready model.json card):
  phishing-gb       GradientBoostingClassifier -> ONNX   (the champion scorer)
  phishing-lr       LogisticRegression -> ONNX, plus model.joblib + model-settings.json for MLServer
  phishing-iforest  IsolationForest (trained on legitimate pages only) -> ONNX anomaly detector
Data files:
  demo/data/phishing-train.json    the training split (for the TensorFlow.js model, trained in Node)
  demo/data/phishing-holdout.json  the held-out split, as cases, with each model's reference output
  demo/cases/sample.json           one held-out case for trying things by hand
"""

from __future__ import annotations

import json
import pathlib

import joblib
import numpy as np
import onnxruntime as ort
import sklearn
from river import datasets
import onnx
from onnx import TensorProto, helper
from skl2onnx import to_onnx
from sklearn.ensemble._iforest import _average_path_length
from sklearn.ensemble import GradientBoostingClassifier, IsolationForest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import train_test_split

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODELS = ROOT / "demo" / "models"
SEED = 42
TEST_SIZE = 0.2
OPSET = 17
TOLERANCE = 1e-4
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
DATA = {
    "name": "Website Phishing (UCI), via river.datasets.Phishing (river 0.26.1)",
    "citation": "N. Abdelhamid, A. Ayesh, F. Thabtah. Phishing detection based Associative "
    "Classification data mining. Expert Systems with Applications 41(13), 2014, 5948-5959.",
}
INPUT_SCHEMA = {
    "type": "object",
    "properties": {name: {"type": "number", "minimum": 0, "maximum": 1} for name in FEATURES},
    "required": FEATURES,
    "additionalProperties": False,
}
SCORE_SCHEMA = {
    "type": "object",
    "properties": {"score": {"type": "number"}},
    "required": ["score"],
}


def load() -> tuple[np.ndarray, np.ndarray]:
    rows, labels = [], []
    for x, y in datasets.Phishing():
        rows.append([float(x[name]) for name in FEATURES])
        labels.append(int(bool(y)))
    return np.asarray(rows, dtype=np.float32), np.asarray(labels, dtype=np.int64)


def export(name: str, model, X_train: np.ndarray, options: dict | None) -> ort.InferenceSession:
    onx = to_onnx(model, X_train[:1], options=options, target_opset={"": OPSET, "ai.onnx.ml": 3})
    out = MODELS / name
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.onnx").write_bytes(onx.SerializeToString())
    return ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])


def export_iforest(name: str, iforest: IsolationForest, n_features: int) -> ort.InferenceSession:
    """An IsolationForest as one tree ensemble and three arithmetic nodes.

    skl2onnx exports each tree as its own TreeEnsembleRegressor plus ~25 nodes that turn the leaf it
    reached into a path length (2,710 nodes for 100 trees): ~1.35 ms a case on onnxruntime-node, most
    of it per-node overhead, against ~0.07 ms for the 150-tree gradient boosting. But an isolation
    tree's contribution depends only on its leaf (its depth + c(leaf samples) - 1, which scikit-learn
    precomputes per node), so the leaf values carry it and one ensemble sums them. Outputs `scores` =
    decision_function, as skl2onnx's export did: -2^(-sum / (trees * c(max_samples))) - offset_.
    """
    subsample = iforest._max_features != n_features
    tree_ids, node_ids, feature_ids, values, modes, true_ids, false_ids = [], [], [], [], [], [], []
    t_tree, t_node, t_weight = [], [], []
    for t, (est, features) in enumerate(zip(iforest.estimators_, iforest.estimators_features_)):
        tree = est.tree_
        leaf_value = iforest._decision_path_lengths[t] + iforest._average_path_length_per_tree[t] - 1.0
        for n in range(tree.node_count):
            leaf = tree.children_left[n] == -1
            tree_ids.append(t)
            node_ids.append(n)
            feature_ids.append(0 if leaf else int(features[tree.feature[n]] if subsample else tree.feature[n]))
            values.append(0.0 if leaf else float(tree.threshold[n]))
            modes.append("LEAF" if leaf else "BRANCH_LEQ")
            true_ids.append(0 if leaf else int(tree.children_left[n]))
            false_ids.append(0 if leaf else int(tree.children_right[n]))
            if leaf:
                t_tree.append(t)
                t_node.append(n)
                t_weight.append(float(leaf_value[n]))
    denominator = len(iforest.estimators_) * float(_average_path_length([iforest._max_samples])[0])
    ensemble = helper.make_node(
        "TreeEnsembleRegressor", ["X"], ["depths"], domain="ai.onnx.ml", n_targets=1, aggregate_function="SUM",
        nodes_treeids=tree_ids, nodes_nodeids=node_ids, nodes_featureids=feature_ids, nodes_values=values,
        nodes_modes=modes, nodes_truenodeids=true_ids, nodes_falsenodeids=false_ids,
        nodes_missing_value_tracks_true=[0] * len(tree_ids),
        target_treeids=t_tree, target_nodeids=t_node, target_ids=[0] * len(t_tree), target_weights=t_weight,
    )
    const = lambda n, v: helper.make_tensor(n, TensorProto.FLOAT, [], [v])  # noqa: E731
    graph = helper.make_graph(
        [
            ensemble,
            helper.make_node("Mul", ["depths", "k"], ["exponent"]),  # -ln 2 / denominator: 2^x = e^(x ln 2)
            helper.make_node("Exp", ["exponent"], ["raw"]),
            helper.make_node("Sub", ["minus_offset", "raw"], ["scores"]),
        ],
        "isolation_forest",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, n_features])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [None, 1])],
        initializer=[const("k", -np.log(2.0) / denominator), const("minus_offset", -float(iforest.offset_))],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("ai.onnx.ml", 3)],
        producer_name="arbiter demo/models/train.py",
    )
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    out = MODELS / name
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.onnx").write_bytes(model.SerializeToString())
    return ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])


def card(name, description, framework, output, metrics, max_diff, split, aliases, extra=None) -> dict:
    c = {
        "name": name,
        "kind": "onnx",
        "uri": f"{name}/model.onnx",
        "config": {"inputName": "X", "features": FEATURES, "output": output},
        "inputSchema": INPUT_SCHEMA,
        "outputSchema": SCORE_SCHEMA,
        "framework": framework,
        "trainingData": f"{DATA['name']}. {DATA['citation']}",
        "metrics": metrics,
        "description": description,
        "aliases": aliases,
        "card": {
            "data": {**DATA, "split": split},
            "export_check": {"max_abs_diff_vs_sklearn": max_diff, "tolerance": TOLERANCE},
        },
    }
    if extra:
        c["card"].update(extra)
    (MODELS / name / "model.json").write_text(json.dumps(c, indent=2) + "\n")
    return c


def classifier_metrics(y_test, proba) -> dict:
    return {
        "roc_auc": round(float(roc_auc_score(y_test, proba)), 4),
        "accuracy_at_0.5": round(float(accuracy_score(y_test, proba >= 0.5)), 4),
        "f1_at_0.5": round(float(f1_score(y_test, proba >= 0.5)), 4),
    }


def main() -> None:
    X, y = load()
    idx = np.arange(len(y))
    X_train, X_test, y_train, y_test, idx_train, idx_test = train_test_split(
        X, y, idx, test_size=TEST_SIZE, random_state=SEED, stratify=y
    )
    split = {"method": "stratified train_test_split", "test_size": TEST_SIZE, "seed": SEED,
             "train_rows": int(len(y_train)), "test_rows": int(len(y_test)), "positive_rate": round(float(y.mean()), 4)}
    skl = f"scikit-learn {sklearn.__version__}"
    reference: dict[str, np.ndarray] = {}

    gb = GradientBoostingClassifier(n_estimators=150, max_depth=3, learning_rate=0.1, random_state=SEED)
    gb.fit(X_train, y_train)
    reference["phishing-gb"] = gb.predict_proba(X_test)[:, 1]
    sess = export("phishing-gb", gb, X_train, {id(gb): {"zipmap": False}})
    diff = float(np.max(np.abs(sess.run(None, {"X": X_test})[1][:, 1] - reference["phishing-gb"])))
    card("phishing-gb", "Gradient-boosted trees: probability that a web page is a phishing page.",
         f"{skl} GradientBoostingClassifier(150 trees, depth 3), skl2onnx, opset {OPSET}",
         {"name": "probabilities", "column": 1}, classifier_metrics(y_test, reference["phishing-gb"]), diff, split,
         ["champion"])

    lr = LogisticRegression(C=1.0, max_iter=1000)
    lr.fit(X_train, y_train)
    reference["phishing-lr"] = lr.predict_proba(X_test)[:, 1]
    sess = export("phishing-lr", lr, X_train, {id(lr): {"zipmap": False}})
    diff = float(np.max(np.abs(sess.run(None, {"X": X_test})[1][:, 1] - reference["phishing-lr"])))
    joblib.dump(lr, MODELS / "phishing-lr" / "model.joblib")
    settings = {"name": "phishing-lr", "implementation": "mlserver_sklearn.SKLearnModel",
                "parameters": {"uri": "./model.joblib", "version": "1"}}
    (MODELS / "phishing-lr" / "model-settings.json").write_text(json.dumps(settings, indent=2) + "\n")
    card("phishing-lr", "Logistic regression: probability that a web page is a phishing page (the challenger).",
         f"{skl} LogisticRegression(C=1.0), skl2onnx, opset {OPSET}; model.joblib for MLServer",
         {"name": "probabilities", "column": 1}, classifier_metrics(y_test, reference["phishing-lr"]), diff, split,
         ["challenger"], {"mlserver": {"settings": "model-settings.json", "joblib": "model.joblib"}})

    # Novelty detection: learn what legitimate pages look like; phishing pages should stand out.
    iforest = IsolationForest(n_estimators=100, max_samples=128, random_state=SEED)
    iforest.fit(X_train[y_train == 0])
    reference["phishing-iforest"] = -iforest.decision_function(X_test)
    sess = export_iforest("phishing-iforest", iforest, X_train.shape[1])
    onnx_scores = -sess.run(None, {"X": X_test})[0][:, 0]
    diff = float(np.max(np.abs(onnx_scores - reference["phishing-iforest"])))
    card("phishing-iforest",
         "Isolation forest trained on legitimate pages only: anomaly score, higher = more unusual (> 0 is an outlier).",
         f"{skl} IsolationForest(100 trees, 128 samples each), one ONNX tree ensemble (train.py), opset {OPSET}",
         {"name": "scores", "column": 0, "negate": True},
         {"roc_auc_vs_phishing_label": round(float(roc_auc_score(y_test, reference["phishing-iforest"])), 4)},
         diff, split, ["champion"])

    for name, ref in reference.items():
        assert np.all(np.isfinite(ref)), name
    train = [{"input": {n: float(v) for n, v in zip(FEATURES, row)}, "label": int(label)}
             for row, label in zip(X_train, y_train)]
    (ROOT / "demo" / "data" / "phishing-train.json").write_text(json.dumps(train) + "\n")
    cases = [
        {
            "caseId": f"phish-{int(i):04d}",
            "input": {name: float(v) for name, v in zip(FEATURES, row)},
            "label": int(label),
            # scikit-learn's own outputs, so tests can check the runtimes in Node against them.
            "sklearnScore": round(float(reference["phishing-gb"][k]), 7),
            "reference": {name: round(float(ref[k]), 7) for name, ref in reference.items()},
        }
        for k, (i, row, label) in enumerate(zip(idx_test, X_test, y_test))
    ]
    (ROOT / "demo" / "data" / "phishing-holdout.json").write_text(json.dumps(cases, indent=1) + "\n")
    sample = {"caseId": cases[0]["caseId"], "input": cases[0]["input"]}
    (ROOT / "demo" / "cases" / "sample.json").write_text(json.dumps(sample, indent=2) + "\n")
    for name in reference:
        print(name, json.loads((MODELS / name / "model.json").read_text())["metrics"])


if __name__ == "__main__":
    main()
