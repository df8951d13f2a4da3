# Sourced by the other scripts: paths and pinned versions shared by all of them.
# shellcheck shell=bash
VITRINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export VITRINE_ROOT
export PATH="$HOME/.cargo/bin:$VITRINE_ROOT/node_modules/.bin:$PATH"
TRUNK_VERSION="0.21.14"
# The wasm-bindgen CLI must equal the library in Cargo.lock, byte for byte of the version.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$VITRINE_ROOT/Cargo.lock")"
export TRUNK_VERSION WASM_BINDGEN_VERSION
