#!/usr/bin/env bash
# Load figures of the page request (not a test: numbers to read, on a quiet machine if
# possible). Starts a release server with the demo shop on a fresh SQLite file and no rate
# limits, then with wrk, for an anonymous shopper on a product page of the shop's storefront
# (every request with its Origin, as a browser sends it):
#   1. the two widgets' data as single requests: GET /v1/recommendations, GET /v1/availability;
#   2. the same as one GET /v1/batch with both sub-requests (what the loader sends);
#   3. the batch revalidated: If-None-Match with its ETag (a repeat view), answered 304.
# Writes the report to target/bench-batch/report.txt. Needs Debian's `wrk`.
source "$(dirname "$0")/common.sh"
dir="target/bench-batch"
port="${VITRINE_BENCH_PORT:-18186}"
start_demo_server "$dir" "$port"
origin="http://127.0.0.1:$((port + 1))"
pk=pk_demo_alpenhaus
duration="${VITRINE_BENCH_SECONDS:-15}"
recommendations="recommendations?context=product%3AAH-1001&limit=4"
availability="availability?sku=AH-1001&postcode=80331&country=DE"
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
batch="$api/v1/batch?key=$pk&r=$(enc "$recommendations")&r=$(enc "$availability")"
etag=$(curl -sf -D - -o /dev/null -H "Origin: $origin" "$batch" | awk 'tolower($1) == "etag:" { print $2 }' | tr -d '\r')
run() {
  echo
  echo "== $1 (8 connections, 2 threads, ${duration}s)"
  shift
  wrk -t2 -c8 -d"${duration}s" --latency -H "Origin: $origin" "$@" |
    grep -E "Requests/sec|^ +(50|90|99)%|Non-2xx|Socket errors"
}
{
  echo "Vitrine page request load figures — $(date -u +%F), $(nproc) cores, SQLite, release build"
  run "GET /v1/recommendations (product page)" "$api/v1/$recommendations&key=$pk"
  run "GET /v1/availability (postcode)" "$api/v1/$availability&key=$pk"
  run "GET /v1/batch with both" "$batch"
  run "GET /v1/batch with both, If-None-Match (304)" -H "If-None-Match: $etag" "$batch"
} | tee "$dir/report.txt"
