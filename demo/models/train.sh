#!/usr/bin/env bash
# Reproduce the demo models from pinned versions: `npm run train`.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=.tools/train
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet -r demo/models/requirements.txt
"$venv/bin/python" demo/models/train.py
# The TensorFlow.js model trains in Node on the split the Python script just wrote.
npx tsx demo/models/train-tfjs.ts
