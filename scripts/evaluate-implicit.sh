#!/usr/bin/env bash
# Evaluates the Python library `implicit` (CosineRecommender, AlternatingLeastSquares) on the
# split the Rust harness wrote to target/eval/ (run scripts/evaluate.sh for both at once).
# Creates target/eval-venv with the pinned versions below on first use (PyPI only).
# Arguments go to scripts/evaluate-implicit.py (--only onlineretail|groceries|synthetic|tafeng, --grid, --summary).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$VITRINE_ROOT"

IMPLICIT_VERSION="0.7.3"
THREADPOOLCTL_VERSION="3.8.0"
PYTHON="${PYTHON:-python3.11}"
VENV="target/eval-venv"

if ! "$VENV/bin/python" -c "import implicit, threadpoolctl, sys; sys.exit(implicit.__version__ != '$IMPLICIT_VERSION')" 2>/dev/null; then
  echo "creating $VENV (implicit $IMPLICIT_VERSION)" >&2
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "implicit==$IMPLICIT_VERSION" "threadpoolctl==$THREADPOOLCTL_VERSION"
fi

# implicit warns that a multi-threaded BLAS slows its own threads down.
export OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
exec "$VENV/bin/python" scripts/evaluate-implicit.py "$@"
