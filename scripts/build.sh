#!/usr/bin/env bash
# Builds the widget bundle (Trunk → dist/) and the server, then prints the bundle's size
# report (raw, gzip, brotli as served). Fails when the bundle is over its budget.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$VITRINE_ROOT"
rm -rf dist
trunk build --release
cargo build --profile server -p vitrine-server
target/server/vitrine-server bundle-report --bundle-dir dist | tee target/bundle-size.txt
