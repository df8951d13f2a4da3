#!/usr/bin/env bash
# Load figures of the API (not a test: numbers to read, on a quiet machine if possible).
# Starts a release server on a fresh SQLite file with the demo shop and no rate limits, then
#   1. bulk ingestion into SQLite (bench/ingest.py, a second process): events/s, then the
#      server's memory with 100,000 profiles (RssAnon: its own; RssFile: the mapped database),
#   2. browser endpoints under load from wrk (a second process): req/s, p50, p99.
# Writes the report to target/bench/report.txt.  Needs Debian's `wrk` (installed when root).
source "$(dirname "$0")/common.sh"
dir="target/bench"
start_demo_server "$dir" "${VITRINE_BENCH_PORT:-18180}"
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
