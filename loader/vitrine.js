// Vitrine loader: the one script a shop embeds (<script type="module" src=".../v1/vitrine.js"
// data-key="pk_…" data-locale="de-DE" data-currency="EUR">). It starts the wasm download and
// the widgets' first API requests at once, so nothing waits on anything else, then hands
// over to the wasm. The server fills in the hashed file names (__VITRINE_…__).
const base = new URL('./', import.meta.url);
const tag = [...document.scripts].find((s) => s.src === import.meta.url);
const config = { ...(tag ? tag.dataset : {}) };

// window.Vitrine queues calls until the wasm has loaded and replaces the methods.
const queue = (window.Vitrine && window.Vitrine.q) || [];
const api = { q: queue };
for (const name of ['track', 'identify', 'setConsent', 'refresh']) {
  api[name] = (...args) => void queue.push([name, args]);
}
window.Vitrine = api;

// An API URL: the key and a signed-in customer's token go with every request.
const apiUrl = (path, params) => {
  const q = new URLSearchParams({ key: config.key || '' });
  for (const [name, value] of Object.entries(params)) if (value != null) q.set(name, value);
  if (config.customerToken) q.set('customer_token', config.customerToken);
  return new URL(path + '?' + q, base).href;
};
// The postcode the shopper chose on an earlier page, and its country: "5020 AT".
const remembered = () => {
  try {
    const [postcode, country] = localStorage.getItem('vitrine:availability:postcode').split(' ');
    return { postcode, country };
  } catch {
    return {};
  }
};
// The API URL of a placeholder's first data; null for widget kinds that fetch nothing.
const dataUrl = ({ dataset: d }) =>
  d.vitrine == 'recommendations'
    ? apiUrl('recommendations', {
        context: d.sku ? 'product:' + d.sku : d.context || 'home',
        limit: d.limit,
        cart: d.cart,
        store: d.store,
      })
    : d.vitrine == 'availability' && d.sku
      ? apiUrl('availability', { sku: d.sku, ...remembered() })
      : d.vitrine == 'loyalty'
        ? apiUrl('loyalty', { lines: d.lines, currency: config.currency })
        : null;
// A rejection says why: its `code` is the API's error code when it sent one.
const getJson = (u) =>
  fetch(u, { credentials: 'omit', signal: AbortSignal.timeout(+config.timeout || 5000) }).then(async (r) => {
    if (r.ok) return r.json();
    const body = await r.json().catch(() => 0);
    throw Object.assign(new Error(`HTTP ${r.status} from ${u}`), { code: body?.error?.code });
  });
// The wasm's later requests (another postcode, another SKU): fresh answers of the API.
const fetchJson = (path, params) => getJson(apiUrl(path, params));
const quiet = (promise) => (promise.catch(() => {}), promise);

const prefetched = new Map();
for (const el of document.querySelectorAll('[data-vitrine]')) {
  const url = dataUrl(el);
  if (url && !prefetched.has(url)) prefetched.set(url, quiet(getJson(url)));
}
// The wasm asks for each placeholder's data: the prefetched answer once, then fresh ones.
const load = (el) => {
  const url = dataUrl(el);
  if (!url) return Promise.reject(new Error(`no data for "${el.dataset.vitrine}"`));
  const early = prefetched.get(url);
  prefetched.delete(url);
  return early || getJson(url);
};

// Cart recovery has no placeholder: asked at once for a signed-in customer only. Its dialog
// waits until the page has settled (load, then an idle moment), so it never delays first
// paint; what the shopper did with it is posted as text/plain (no CORS preflight).
const recovery = config.customerToken ? quiet(getJson(apiUrl('cart-recovery', {}))) : null;
const settled = () =>
  new Promise((r) => (document.readyState == 'complete' ? r() : addEventListener('load', r))).then(
    () => new Promise((r) => (window.requestIdleCallback || setTimeout)(r, { timeout: 2000 })),
  );
const act = (offer_id, action) =>
  fetch(new URL('cart-recovery/actions?' + new URLSearchParams({ key: config.key || '' }), base), {
    method: 'POST',
    body: JSON.stringify({ customer_token: config.customerToken, offer_id, action }),
    keepalive: true,
    credentials: 'omit',
  }).catch(() => {});

const asset = (name) => new URL('assets/' + name, base).href;
const wasm = quiet(fetch(asset('__VITRINE_WASM__')));
const css = quiet(fetch(asset('__VITRINE_CSS__')).then((r) => r.text()));
import(asset('__VITRINE_GLUE__'))
  .then(async (glue) => {
    await glue.default({ module_or_path: wasm });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(await css);
    glue.start({ ...config, load, fetchJson, sheet, api, recovery, settled, act });
  })
  .catch((err) => console.warn('[vitrine] widgets disabled:', err));
