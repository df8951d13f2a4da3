# Shared by the bench scripts (sourced): the repository root, wrk installed, the release
# server built, and `start_demo_server DIR PORT`: a release server with the demo shop on a
# fresh SQLite file in DIR, rate limits off, stopped when the script exits; sets $server
# (its pid) and $api.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$VITRINE_ROOT"
command -v wrk >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq wrk >/dev/null; } \
  || { echo "bench: install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build -q --profile server -p vitrine-server

start_demo_server() {
  local dir="$1" port="$2"
  rm -rf "$dir"; mkdir -p "$dir"
  api="http://127.0.0.1:$port"
  target/server/vitrine-server demo --listen "127.0.0.1:$port" --storefront-listen off \
    --storefront-origin "http://127.0.0.1:$((port + 1))" --database-url "sqlite://$dir/bench.db" \
    --master-key-file "$dir/master.key" --bundle-dir dist --storefront-dir public \
    --rate-limit-per-second 0 >"$dir/server.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  for _ in $(seq 100); do curl -sf "$api/healthz" >/dev/null && return; sleep 0.2; done
  echo "bench: the server did not start; see $dir/server.log" >&2
  exit 1
}
