#!/usr/bin/env bash
# Load figures of GET /v1/availability (not a test: numbers to read, on a quiet machine if
# possible). Starts a release server on a fresh SQLite file, creates a shop, imports 1,000
# stores × 5,000 SKUs of stock (5,000,000 rows; bench/availability_data.py), then measures
# random SKUs from random places with wrk (bench/availability.lua): req/s, p50, p99.
# Writes the report to target/bench-availability/report.txt. Needs Debian's `wrk`.
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
cd "$VITRINE_ROOT"
command -v wrk >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq wrk >/dev/null; } \
  || { echo "bench: install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build -q --profile server -p vitrine-server
stores="${VITRINE_BENCH_STORES:-1000}"; skus="${VITRINE_BENCH_SKUS:-5000}"
dir="target/bench-availability"; rm -rf "$dir"; mkdir -p "$dir"
port="${VITRINE_BENCH_PORT:-18182}"; api="http://127.0.0.1:$port"
server_bin=target/server/vitrine-server
common=(--database-url "sqlite://$dir/bench.db" --master-key-file "$dir/master.key")
shop=$("$server_bin" shop "${common[@]}" --json create --name "Benchmark" --id bench)
pk=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["publishable_key"])' <<<"$shop")
sk=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["secret_key"])' <<<"$shop")
"$server_bin" serve --listen "127.0.0.1:$port" "${common[@]}" --bundle-dir dist \
  --rate-limit-per-second 0 >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "$api/healthz" >/dev/null && break; sleep 0.2; done
duration="${VITRINE_BENCH_SECONDS:-15}"
{
  echo "Vitrine availability load figures — $(date -u +%F), $(nproc) cores, SQLite, release build"
  echo "$stores stores × $skus SKUs of stock"
  echo
  python3 bench/availability_data.py --api "$api" --key "$sk" --stores "$stores" --skus "$skus"
  curl -sf "$api/v1/availability?key=$pk&sku=P00000&lat=48.1&lon=11.6&limit=1" >/dev/null
  for connections in 8 32; do
    echo
    echo "== GET /v1/availability, random SKU and place, 5 stores ($connections connections, 2 threads, ${duration}s)"
    VITRINE_BENCH_SKUS="$skus" wrk -t2 -c"$connections" -d"${duration}s" --latency \
      -s bench/availability.lua "$api/v1/availability?key=$pk" |
      grep -E "Requests/sec|^ +(50|90|99)%|Non-2xx|Socket errors"
  done
  awk '/^(RssAnon):/ { printf "\nserver memory %s %.0f MB\n", $1, $2 / 1024 }' "/proc/$server/status"
} | tee "$dir/report.txt"
