# Reference values for test/core/lab/logistic.test.ts, from scikit-learn.
# Regenerate: .tools/mlserver-venv/bin/python test/core/lab/make-fixture.py > test/core/lab/fixture.json
import json
import numpy as np
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(7)
n = 60
y = (rng.random(n) < 0.4).astype(int)
# Two member scores that lean towards the label (the second more weakly), with noise and overlap.
x1 = np.clip(0.25 + 0.45 * y + rng.normal(0, 0.2, n), 0, 1)
x2 = np.clip(0.40 + 0.15 * y + rng.normal(0, 0.25, n), 0, 1)
X = np.column_stack([x1, x2])
fits = []
for lam in [0.1, 1.0, 10.0]:
    m = LogisticRegression(C=1 / lam, solver="lbfgs", tol=1e-12, max_iter=10000).fit(X, y)
    fits.append({"lambda": lam, "bias": float(m.intercept_[0]), "weights": [float(w) for w in m.coef_[0]]})
print(json.dumps({"sklearn": __import__("sklearn").__version__, "x": X.round(6).tolist(), "y": y.tolist(), "fits": fits}, indent=1))
