#!/usr/bin/env bash
# Load figures of the API (not a test: numbers to read, on a quiet machine if possible).
# Starts a release server on a fresh SQLite file with the demo shop and no rate limits, then
#   1. bulk ingestion into SQLite (bench/ingest.py, a second process): events/s, then the
#      server's memory with 100,000 profiles (RssAnon: its own; RssFile: the mapped database),
#   2. browser endpoints under load from wrk (a second process): req/s, p50, p99.
# Writes the report to target/bench/report.txt.  Needs Debian's `wrk` (installed when root).
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
cd "$VITRINE_ROOT"
command -v wrk >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq wrk >/dev/null; } \
  || { echo "bench: install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build -q --profile server -p vitrine-server
dir="target/bench"; rm -rf "$dir"; mkdir -p "$dir"
port="${VITRINE_BENCH_PORT:-18180}"; api="http://127.0.0.1:$port"
target/server/vitrine-server demo --listen "127.0.0.1:$port" --storefront-listen off \
  --storefront-origin http://127.0.0.1:18181 --database-url "sqlite://$dir/bench.db" \
  --master-key-file "$dir/master.key" --bundle-dir dist --storefront-dir public \
  --rate-limit-per-second 0 >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "$api/healthz" >/dev/null && break; sleep 0.2; done
pk=pk_demo_alpenhaus; sk=sk_demo_alpenhaus_not_for_production
duration="${VITRINE_BENCH_SECONDS:-15}"
{
  echo "Vitrine API load figures — $(date -u +%F), $(nproc) cores, SQLite, release build"
  echo
  # 100,000 customers: the profile count DESIGN.md's memory bar names. First one request at
  # a time (profiles are created), then two at a time (as two tills would send).
  python3 bench/ingest.py --api "$api" --key "$sk" --customers 100000
  python3 bench/ingest.py --api "$api" --key "$sk" --customers 100000 --parallel 2
  awk '/^(VmRSS|RssAnon|RssFile):/ { printf "server memory %s %.0f MB\n", $1, $2 / 1024 }' "/proc/$server/status"
  curl -sf -X POST "$api/v1/consent?key=$pk" -H 'content-type: application/json' \
    -d '{"visitor_id":"v_benchmark_visitor_01","tracking":true,"personalisation":true,"source":"bench"}' >/dev/null
  for endpoint in "GET /v1/recommendations?key=$pk&context=product:AH-1001&limit=4" \
                  "GET /v1/consent?key=$pk&visitor_id=v_benchmark_visitor_01" \
                  "POST /v1/events?key=$pk"; do
    method="${endpoint%% *}"; path="${endpoint#* }"
    script=(); [ "$method" = POST ] && script=(-s bench/events.lua)
    # One request first: the best-seller ranking is computed on first use, then cached.
    [ "$method" = GET ] && curl -sf "$api$path" >/dev/null
    for connections in 8 32; do
      echo
      echo "== $method ${path%%\?*} ($connections connections, 2 threads, ${duration}s)"
      wrk -t2 -c"$connections" -d"${duration}s" --latency "${script[@]}" "$api$path" |
        grep -E "Requests/sec|^ +(50|90|99)%|Non-2xx|Socket errors"
    done
  done
} | tee "$dir/report.txt"
