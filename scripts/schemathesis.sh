#!/usr/bin/env bash
# Fuzzes the live server against its own OpenAPI document (/v1/openapi.json) with Schemathesis:
# no answer may be a 5xx, and every answer must have a documented status, content type,
# headers and body schema. Exits non-zero on any failure.
#
#   1. a venv with a pinned Schemathesis from PyPI (target/venv-schemathesis, made once),
#   2. the real server binary (debug build), on a throw-away SQLite file, with a shop created
#      for the run by `vitrine-server shop create` and a stand-in widget bundle,
#   3. Schemathesis with the shop's publishable key (`key` query parameter, and an allowed
#      `Origin`) and secret key (bearer), a bounded number of examples per operation.
#
# SCHEMATHESIS_MAX_EXAMPLES (default 100) trades time for depth; SCHEMATHESIS_SEED repeats a run
# (the seed is printed at the end). One worker: CPython 3.11's ast.parse, which Hypothesis calls
# while describing strategies, fails now and then ("AST constructor recursion depth mismatch")
# when two threads use it at once.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$VITRINE_ROOT"

SCHEMATHESIS_VERSION="4.32.5"
VENV="target/venv-schemathesis"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-100}"
ORIGIN="https://fuzz-shop.example"

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -qx "schemathesis, version $SCHEMATHESIS_VERSION"; then
  echo "installing Schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --locked -p vitrine-server --bin vitrine-server
server_bin="${CARGO_TARGET_DIR:-target}/debug/vitrine-server"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

export VITRINE_DATABASE_URL="sqlite://$work/vitrine.db"
export VITRINE_MASTER_KEY_FILE="$work/master.key"
export VITRINE_LOG="warn,vitrine_server=info"

# Opt-out consent, so that events and identify reach the code that stores them.
"$server_bin" shop create --json --name "Schemathesis" --origin "$ORIGIN" \
  --consent-default opt-out >"$work/shop.json"
VITRINE_PK="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["publishable_key"])' <"$work/shop.json")"
VITRINE_SK="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["secret_key"])' <"$work/shop.json")"
export VITRINE_PK VITRINE_SK
# A loyalty programme, so the loyalty routes answer more than 404 `no_loyalty_program`.
cat >"$work/programme.json" <<'JSON'
{"earn": [{"currency": "EUR", "points": 1, "per_minor": 100}],
 "tiers": [{"name": "Bronze", "threshold": 0, "multiplier_percent": 100},
           {"name": "Gold", "threshold": 1000, "multiplier_percent": 150}],
 "tier_window_days": 365, "expiry_days": 730,
 "point_value": {"points": 100, "value": {"amount_minor": 100, "currency": "EUR"}},
 "redemption": {"min_points": 1, "step_points": 1, "coupon_validity_days": 30}}
JSON
shop_id="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <"$work/shop.json")"
"$server_bin" shop configure --shop "$shop_id" --loyalty-program "$work/programme.json" >/dev/null
# Cart recovery rules, so the cart recovery routes answer more than 404 `no_cart_recovery`.
cat >"$work/cart-recovery.json" <<'JSON'
{"idle_minutes": 1, "min_cart_value": {"amount_minor": 0, "currency": "EUR"},
 "coupon": {"percent": 10, "validity_days": 7}, "coupon_once_per_days": 30,
 "max_shows": 3, "show_window_hours": 24, "quiet_hours_after_dismiss": 72,
 "cart_url": "/cart"}
JSON
"$server_bin" shop configure --shop "$shop_id" --cart-recovery-rules "$work/cart-recovery.json" >/dev/null

# Customer tokens as a shop's backend signs them: "<id>.<expiry>.<hex HMAC-SHA256(sk, id.expiry)>".
mkdir -p target/schemathesis
python3 - >target/schemathesis/customer-tokens.dict <<'PY'
import hashlib, hmac, os, time
expiry = int(time.time()) + 3600
for n in (1, 2):
    message = f"fuzz-customer-{n}.{expiry}"
    digest = hmac.new(os.environ["VITRINE_SK"].encode(), message.encode(), hashlib.sha256).hexdigest()
    print(f'"{message}.{digest}"')
PY

# A stand-in bundle (the real one needs the wasm build), so the asset routes answer 200 too.
mkdir -p "$work/dist"
printf '%s' "import('./assets/__VITRINE_GLUE__'); fetch('__VITRINE_WASM__'); fetch('__VITRINE_CSS__');" \
  >"$work/dist/vitrine.js"
printf '\0asm\1\0\0\0' >"$work/dist/widgets-fuzz_bg.wasm"
printf 'export default function init() {}\n' >"$work/dist/widgets-fuzz.js"
printf '.vitrine { color: black; }\n' >"$work/dist/widgets-fuzz.css"

# Port 0: the kernel picks a free port, which the server logs.
"$server_bin" serve --listen 127.0.0.1:0 --bundle-dir "$work/dist" \
  --rate-limit-per-second 0 --request-timeout-secs 30 2>"$work/server.log" &
server_pid=$!
api=""
for _ in $(seq 1 100); do
  api="$(sed -n 's/.*Vitrine API on \(http:\/\/[0-9.:]*\).*/\1/p' "$work/server.log" | head -1)"
  [ -n "$api" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.1
done
[ -n "$api" ] || { echo "the server did not start"; cat "$work/server.log"; exit 1; }
echo "server on $api"

# The customers the config file names, with a purchase each, so exports have content.
python3 - "$api" <<'PY'
import os, sys, urllib.request
lines = "\n".join(
    '{"id": "fuzz-%d", "type": "purchase", "customer_id": "fuzz-customer-%d", "order_id": "o-%d", '
    '"channel": "web", "currency": "EUR", "lines": [{"sku": "SKU-1", "quantity": 1, "unit_price_minor": 999}]}'
    % (n, n, n)
    for n in range(1, 5)
)
request = urllib.request.Request(
    sys.argv[1] + "/v1/events/bulk",
    data=lines.encode(),
    headers={"Authorization": "Bearer " + os.environ["VITRINE_SK"], "Content-Type": "application/x-ndjson"},
)
with urllib.request.urlopen(request) as answer:
    print("seeded:", answer.read().decode())
PY

status=0
PYTHONPATH="scripts${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=schemathesis_hooks \
  "$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run "$api/v1/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,unsupported_method \
  --max-examples "$MAX_EXAMPLES" \
  --header "Origin: $ORIGIN" \
  --workers 1 \
  ${SCHEMATHESIS_SEED:+--seed "$SCHEMATHESIS_SEED"} \
  --report junit --report-dir target/schemathesis \
  || status=$?

if grep -qE ' ERROR |panicked' "$work/server.log"; then
  echo "the server logged errors during the run:"
  grep -E ' ERROR |panicked' "$work/server.log" | head -50
  status=1
fi
exit "$status"
