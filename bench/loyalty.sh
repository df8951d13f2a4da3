#!/usr/bin/env bash
# Load figures of loyalty points (not a test: numbers to read, on a quiet machine if possible).
# Starts a release server on a fresh SQLite file with the demo shop (its programme: 1 point per
# euro, three tiers, expiry) and no rate limits, then
#   1. accrual throughput: bulk imports of till purchases only (bench/ingest.py), each earning
#      points for one of 10,000 customers: purchases/s;
#   2. GET /v1/loyalty under load from wrk (bench/loyalty.lua): a random one of 1,000 signed-in
#      customers per request, 5 ledger lines each: req/s, p50, p99.
# Writes the report to target/bench-loyalty/report.txt. Needs Debian's `wrk`.
source "$(dirname "$0")/common.sh"
dir="target/bench-loyalty"
start_demo_server "$dir" "${VITRINE_BENCH_PORT:-18184}"
pk=pk_demo_alpenhaus; sk=sk_demo_alpenhaus_not_for_production
duration="${VITRINE_BENCH_SECONDS:-15}"
# Tokens as a shop's backend signs them: "<customer>.<expiry>.<hex HMAC-SHA256>", one a line.
python3 - "$sk" >"$dir/tokens.txt" <<'PY'
import hashlib, hmac, sys, time
expiry = int(time.time()) + 3600
for n in range(1000):
    message = f"B-{n}.{expiry}"
    print(f"{message}.{hmac.new(sys.argv[1].encode(), message.encode(), hashlib.sha256).hexdigest()}")
PY
{
  echo "Vitrine loyalty load figures — $(date -u +%F), $(nproc) cores, SQLite, release build"
  echo
  # The same purchases without a programme first: what accrual adds to ingestion.
  auth=(-H "authorization: Bearer $sk")
  curl -sf "${auth[@]}" "$api/v1/loyalty/program" >"$dir/program.json"
  curl -sf "${auth[@]}" -X DELETE "$api/v1/loyalty/program"
  echo "without a loyalty programme:"
  python3 bench/ingest.py --api "$api" --key "$sk" --customers 10000 --batches 10 --purchase-every 1
  curl -sf "${auth[@]}" -X PUT -H 'content-type: application/json' \
    --data-binary @"$dir/program.json" "$api/v1/loyalty/program" >/dev/null
  echo "with the demo programme (every purchase earns):"
  python3 bench/ingest.py --api "$api" --key "$sk" --customers 10000 --batches 10 --purchase-every 1
  python3 bench/ingest.py --api "$api" --key "$sk" --customers 10000 --batches 10 --purchase-every 1
  curl -sf "$api/v1/loyalty?key=$pk&customer_token=$(head -1 "$dir/tokens.txt")" |
    python3 -c 'import json,sys; a=json.load(sys.stdin); print("a member: %d points, tier %s, %d lines" % (a["balance"], a["tier"]["name"], len(a["lines"])))'
  for connections in 8 32; do
    echo
    echo "== GET /v1/loyalty, random signed-in customer ($connections connections, 2 threads, ${duration}s)"
    VITRINE_BENCH_TOKENS="$dir/tokens.txt" wrk -t2 -c"$connections" -d"${duration}s" --latency \
      -s bench/loyalty.lua "$api/v1/loyalty?key=$pk" |
      grep -E "Requests/sec|^ +(50|90|99)%|Non-2xx|Socket errors"
  done
  awk '/^(RssAnon):/ { printf "\nserver memory %s %.0f MB\n", $1, $2 / 1024 }' "/proc/$server/status"
} | tee "$dir/report.txt"
