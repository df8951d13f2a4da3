#!/usr/bin/env bash
# Builds both bundles with Trunk — the widget bundle (→ dist/) and the demo storefront app
# (storefront/ → storefront/dist/) — and the server, then prints the size report (raw, gzip,
# brotli as served): the widget bundle's, which fails the build when over its budget, and the
# storefront's beside it (the demo shop, no budget).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$VITRINE_ROOT"
rm -rf dist storefront/dist
trunk build --release
(cd storefront && trunk build --release)
cargo build --profile server -p vitrine-server
target/server/vitrine-server bundle-report --bundle-dir dist --storefront-app-dir storefront/dist \
  | tee target/bundle-size.txt
