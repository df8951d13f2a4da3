#!/usr/bin/env bash
# How long the attribution report takes (not a test: numbers to read, on a quiet machine if
# possible). Starts a release server on a fresh SQLite file with the demo shop, imports 100,000
# widget and shop events of 10,000 customers over the last 30 days through the bulk endpoint
# (per customer: 6 impressions of 4 tiles, 2 clicks, a purchase of the first clicked product a
# day later, online or at a till, and a product view), then times
#   1. GET /v1/reports/attribution over the 30 days (curl, 7 runs: min and median),
#   2. `vitrine-server report attribution --format table` on the same database (3 runs).
# Writes the report to target/bench-attribution/report.txt.
source "$(dirname "$0")/common.sh"
dir="target/bench-attribution"
start_demo_server "$dir" "${VITRINE_BENCH_PORT:-18186}"
sk=sk_demo_alpenhaus_not_for_production
now=$(date +%s)
python3 - "$dir" "$now" <<'PY'
import json, random, sys
out, now = sys.argv[1], int(sys.argv[2])
rnd = random.Random(8)
start, contexts = now - 30 * 86_400, ("home", "cart", "product")
events = []
for c in range(10_000):
    customer, t = f"A-{c}", start + rnd.randrange(28 * 86_400)
    skus = [f"AH-{1001 + rnd.randrange(42)}" for _ in range(4)]
    rid = f"{contexts[c % 3]}.{c:032x}"
    for i in range(6):
        events.append({"id": f"i-{c}-{i}", "type": "impression", "customer_id": customer,
                       "recommendation_id": rid, "skus": skus, "occurred_at": t + i})
    for i in range(2):
        events.append({"id": f"c-{c}-{i}", "type": "click", "customer_id": customer,
                       "recommendation_id": rid, "sku": skus[i], "occurred_at": t + 10 + i})
    channel = "store" if c % 2 else "web"
    purchase = {"id": f"p-{c}", "type": "purchase", "customer_id": customer,
                "order_id": f"O-{c}", "channel": channel, "currency": "EUR",
                "occurred_at": t + 86_400,
                "lines": [{"sku": skus[0], "quantity": 1, "unit_price_minor": 4990}]}
    if channel == "store":
        purchase["store_id"] = "ulm-muensterplatz"
    events.append(purchase)
    events.append({"id": f"v-{c}", "type": "view", "customer_id": customer, "sku": skus[3],
                   "occurred_at": t + 20})
for n in range(0, len(events), 10_000):
    with open(f"{out}/events-{n // 10_000:02}.ndjson", "w") as f:
        f.write("\n".join(json.dumps(e) for e in events[n:n + 10_000]))
PY
for file in "$dir"/events-*.ndjson; do
  curl -sf -H "authorization: Bearer $sk" -H 'content-type: application/x-ndjson' \
    --data-binary @"$file" "$api/v1/events/bulk" >/dev/null
done
from=$((now - 30 * 86400)); to=$((now + 1))
url="$api/v1/reports/attribution?from=$from&to=$to&window_days=7"
millis() { python3 -c 'import sys; v=sorted(float(x) for x in sys.argv[1:]); print("min %.0f ms, median %.0f ms" % (v[0]*1000, v[len(v)//2]*1000))' "$@"; }
{
  echo "Vitrine attribution report — $(date -u +%F), $(nproc) cores, SQLite, release build"
  echo "100,000 events of 10,000 customers over 30 days (60,000 impressions, 20,000 clicks,"
  echo "10,000 purchases, 10,000 views), report over the 30 days, window 7 days"
  echo
  times=()
  for _ in $(seq 7); do
    times+=("$(curl -sf -o "$dir/report.json" -w '%{time_total}' -H "authorization: Bearer $sk" "$url")")
  done
  echo "GET /v1/reports/attribution: $(millis "${times[@]}")"
  times=()
  for _ in $(seq 3); do
    started=$(date +%s.%N)
    target/server/vitrine-server report attribution --database-url "sqlite://$dir/bench.db" \
      --shop demo --from "$from" --to "$to" --format table >"$dir/table.txt"
    times+=("$(python3 -c "import sys; print(float('$(date +%s.%N)') - float('$started'))")")
  done
  echo "vitrine-server report attribution (process start and migration check included): $(millis "${times[@]}")"
  echo
  cat "$dir/table.txt"
} | tee "$dir/report.txt"
