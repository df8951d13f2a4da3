#!/usr/bin/env bash
# Walks docs/getting-started.md exactly as written, on a fresh database: every ```sh block of
# the guide, in order, in one shell; then signs a token with each of the guide's examples
# (Python, Node.js, PHP, Rust) and checks that the API answers what the guide promises:
# "bought together" on a product page, personal recommendations for a signed-in customer,
# every example's token accepted and a forged one refused. Run by scripts/test.sh.
# Port: VITRINE_ONBOARDING_PORT (18680).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$VITRINE_ROOT"

guide=docs/getting-started.md
steps=target/onboarding-steps.sh
rm -rf target/muster target/muster.db* target/muster-master.key target/muster-keys.txt
awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on' "$guide" > "$steps"
[ -s "$steps" ] || { echo "onboarding: no sh blocks in $guide" >&2; exit 1; }
export VITRINE_LISTEN="127.0.0.1:${VITRINE_ONBOARDING_PORT:-18680}"

# The guide starts the server in the background; it goes when this script ends.
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
echo "onboarding: running the $(grep -c '^```sh$' "$guide") sh blocks of $guide"
source "$steps"

fail() { echo "onboarding: $*" >&2; exit 1; }
# `json FILE EXPR`: EXPR (Python, the answer as `a`) must hold.
json() {
  python3 -c "import json, sys; a = json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" \
    || fail "$1 does not satisfy: $2 ($(head -c 600 "$1"))"
}

json target/muster/orders-answer.json 'a["stored"] == 901 and a["errors"] == [] and a["outside_learning_window"] == 0'
json target/muster/bought-together.json \
  'a["items"][0]["sku"] == "MO-1002" and a["items"][0]["reason"]["kind"] == "bought_together_with"'
json target/muster/for-k-1001.json \
  'any(i["reason"]["kind"] == "because_you_bought" and i["reason"].get("store_name") == "Muster Berlin Mitte" for i in a["items"])'

# Every signing example of the guide makes a token the API takes for K-1001.
personal() {
  curl -s -o target/muster/personal.json -w '%{http_code}' \
    "$VITRINE_URL/v1/recommendations?key=$VITRINE_PUBLISHABLE_KEY&context=home&customer_token=$1"
}
for signer in "python3 docs/getting-started/sign_token.py" "node docs/getting-started/sign-token.mjs" \
  "php docs/getting-started/sign-token.php" \
  "cargo run -q --locked -p vitrine-server --example sign_token --"; do
  token=$($signer K-1001)
  [ "$(personal "$token")" = 200 ] || fail "$signer: token refused: $(cat target/muster/personal.json)"
  json target/muster/personal.json 'any(i["reason"]["kind"] == "because_you_bought" for i in a["items"])'
  echo "onboarding: $signer signs tokens the API accepts"
done
# Another customer's id on K-1001's signature: refused, not read as anyone.
forged="K-1002.${TOKEN#K-1001.}"
[ "$(personal "$forged")" = 401 ] || fail "a forged token was not refused"
json target/muster/personal.json 'a["error"]["code"] == "invalid_customer_token"'
json <(curl -sf "$VITRINE_URL/v1/shop/origins" -H "Authorization: Bearer $VITRINE_SECRET_KEY") \
  '"https://staging.muster.example" in a["origins"]'
echo "onboarding: the guide works as written"
