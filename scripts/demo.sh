#!/usr/bin/env bash
# The demo: installs missing tools, builds, and starts the API (with an embedded SQLite file,
# created and filled with the demo shop on first start) and the demo storefront (the Leptos
# single-page shop, and public/plain.html without a framework) on a second origin. Ctrl-C
# stops both. Ports: VITRINE_PORT (API, 8080), VITRINE_STOREFRONT_PORT (8081).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$VITRINE_ROOT"
scripts/bootstrap.sh
scripts/build.sh
exec target/server/vitrine-server demo \
  --listen "127.0.0.1:${VITRINE_PORT:-8080}" \
  --storefront-listen "127.0.0.1:${VITRINE_STOREFRONT_PORT:-8081}" \
  --database-url "sqlite://${VITRINE_DEMO_DB:-target/vitrine-demo.db}" \
  --master-key-file target/vitrine-demo-master.key \
  --bundle-dir dist --storefront-dir public --storefront-app-dir storefront/dist
