#!/usr/bin/env bash
# Recommendation quality in one command: our models (Rust harness, which also writes the split
# to target/eval/), then implicit's cosine and ALS on that same split. See docs/recommender.md.
#   scripts/evaluate.sh [--tune]   (--tune: our grid of settings too; DATA=path overrides the data)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$VITRINE_ROOT"

DATA="${DATA:-../shared/data}"
# The `server` profile (opt-level 3): `release` is tuned for the wasm bundle's size.
cargo run --quiet --profile server -p vitrine-recommender --example evaluate -- --data "$DATA" "$@"
scripts/evaluate-implicit.sh
