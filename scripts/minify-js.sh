#!/usr/bin/env bash
# Trunk post_build hook (Trunk.toml): minifies the JavaScript that Trunk 0.21 serves as it is,
# the wasm-bindgen glue and the copied loader, with esbuild (npm, pinned in package.json).
# Release builds only; names and string literals stay (the server fills the loader's
# __VITRINE_…__ placeholders). Bytes saved: docs/bundle-size.md.
set -euo pipefail
[ "${TRUNK_PROFILE:-}" = release ] || exit 0
esbuild="${TRUNK_SOURCE_DIR:?}/node_modules/.bin/esbuild"
for js in "${TRUNK_STAGING_DIR:?}"/*.js; do
  "$esbuild" "$js" --minify --format=esm --log-level=warning --allow-overwrite --outfile="$js"
done
