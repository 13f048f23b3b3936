#!/usr/bin/env bash
# Regenerates the golden files under fixtures/golden/ from the reference
# implementations (numpy, scikit-learn, statsmodels) in a private venv.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${VENV:-$here/.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r "$here/requirements.txt"
for s in "$here"/*_golden.py; do "$venv/bin/python" "$s"; done
