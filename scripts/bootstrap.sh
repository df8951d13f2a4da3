#!/usr/bin/env bash
# Installs what the build (and, with `--test`, the tests) need, and skips what is already
# there. Everything comes from crates.io, npm or Debian's apt; nothing else is fetched.
#   scripts/bootstrap.sh         wasm target, trunk, wasm-bindgen-cli, npm tools (wasm-opt, esbuild)
#   scripts/bootstrap.sh --test  … and Debian's Chromium, chromedriver and PostgreSQL
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$VITRINE_ROOT"

step() { printf '\033[1mbootstrap:\033[0m %s\n' "$*"; }

trunk_pin="$(sed -n 's/^wasm_bindgen = "\(.*\)"$/\1/p' Trunk.toml)"
if [ "$trunk_pin" != "$WASM_BINDGEN_VERSION" ]; then
  echo "bootstrap: Trunk.toml pins wasm-bindgen $trunk_pin but Cargo.lock has $WASM_BINDGEN_VERSION;" >&2
  echo "  make them equal (and the =version in Cargo.toml)." >&2
  exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q "trunk $TRUNK_VERSION"; then
  step "installing trunk $TRUNK_VERSION (takes several minutes)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: a dependency locked by that release is no longer on the registry.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

# `npm ls` fails when a package of package.json is missing from node_modules (a new one added).
if ! { wasm-opt --version 2>/dev/null | grep -q "version 132" && npm ls --depth=0 >/dev/null 2>&1 \
  && esbuild --version 2>/dev/null | grep -qx "0.28.2"; }; then
  step "installing the npm tools (binaryen's wasm-opt, esbuild, Playwright)"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--test" ]; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  # The getting-started guide's token examples (scripts/onboarding-check.sh runs each).
  command -v php >/dev/null || missing+=(php-cli)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
      step "installing ${missing[*]} from Debian"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    else
      echo "bootstrap: the tests need Debian's ${missing[*]}:" >&2
      echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
fi
step "tools ready"
