#!/usr/bin/env bash
# Every test of the project, on a fresh machine too: installs what is missing, then
#   1. formatting and lints (native and wasm),
#   2. Rust tests: types, server (router in-process) on SQLite files, then the server's API
#      suite again on a real PostgreSQL server started for it (scripts/with-postgres.sh),
#   3. Schemathesis fuzzing of the live server against its /v1/openapi.json (no 5xx, every
#      answer as documented; scripts/schemathesis.sh),
#   4. wasm-bindgen tests of the widgets in headless Chromium,
#   5. the build of both bundles (widgets, storefront app) with the size report (fails when the
#      widget bundle is over budget),
#   6. docs/getting-started.md run as written on a fresh database (scripts/onboarding-check.sh),
#   7. Playwright end-to-end tests against the real server and storefront.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$VITRINE_ROOT"
scripts/bootstrap.sh --test

section() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

section "format and lints"
cargo fmt --all -- --check
scripts/import-cycles.py
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy --target wasm32-unknown-unknown -p vitrine-widgets --all-targets --locked -- -D warnings
cargo clippy --target wasm32-unknown-unknown -p vitrine-storefront --all-targets --locked -- -D warnings

section "Rust tests (types, server on SQLite)"
cargo test --workspace --locked 2>&1 | tee target/rust-tests.log

section "server API tests on PostgreSQL"
scripts/with-postgres.sh env VITRINE_TEST_BACKEND=postgres \
  cargo test -p vitrine-server --test api --test process --locked 2>&1 | tee target/postgres-tests.log

section "API fuzzing against its OpenAPI document (Schemathesis)"
scripts/schemathesis.sh 2>&1 | tee target/schemathesis.log

section "wasm tests in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --target wasm32-unknown-unknown -p vitrine-widgets --locked 2>&1 | tee target/wasm-tests.log

section "bundle build and size report"
scripts/build.sh

section "the getting-started guide, walked as written (docs/getting-started.md)"
scripts/onboarding-check.sh 2>&1 | tee target/onboarding.log

section "end-to-end tests (Playwright, Chromium)"
npx playwright test 2>&1 | tee target/e2e-tests.log

section "summary"
passed=$(awk '/^test result: ok\./ { sum += $4 } END { print sum + 0 }' \
  target/rust-tests.log target/postgres-tests.log target/wasm-tests.log)
e2e=$(sed -n 's/^ *\([0-9]*\) passed.*/\1/p' target/e2e-tests.log | tail -1)
echo "$((passed + ${e2e:-0})) passed, 0 failed"
