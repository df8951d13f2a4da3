#!/usr/bin/env bash
# Recommendation quality in one command: our models (Rust harness, which also writes the split
# to target/eval/), then implicit's cosine and ALS on that same split, then one table of every
# data set run. See docs/recommender.md.
#   scripts/evaluate.sh [--only onlineretail|groceries|synthetic|tafeng] [--grid] [--tune]
#   (--grid: every setting of each grid; --tune: our recency × λ exploration too;
#    DATA=path overrides ../shared/data; Ta-Feng is fetched into target/tafeng/ on first use)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$VITRINE_ROOT"

DATA="${DATA:-../shared/data}"
ONLY=""
IMPLICIT_ARGS=()
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --only) ONLY="${args[$((i + 1))]:-}"; IMPLICIT_ARGS+=(--only "$ONLY") ;;
    --grid) IMPLICIT_ARGS+=(--grid) ;;
  esac
done
TAFENG_ARGS=()
if [[ -z "$ONLY" || "$ONLY" == tafeng ]]; then
  TAFENG_ARGS=(--tafeng "$(scripts/fetch-tafeng.sh)")
fi
# The `server` profile (opt-level 3): `release` is tuned for the wasm bundle's size.
cargo run --quiet --profile server -p vitrine-recommender --example evaluate -- \
  --data "$DATA" "${TAFENG_ARGS[@]}" "$@"
scripts/evaluate-implicit.sh "${IMPLICIT_ARGS[@]}"
