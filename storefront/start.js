// Starts the storefront app. Trunk would inline this (inject_scripts); the storefront is served
// with a Content-Security-Policy that allows no inline script (so the demo proves the widgets
// work under one), so it is a file of its own. The names are Trunk's without hashes
// (Trunk.toml: filehash = false); the server revalidates them (ETag).
import init from '/vitrine-storefront.js';

init({ module_or_path: '/vitrine-storefront_bg.wasm' });
