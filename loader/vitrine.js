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

// The API URL of a placeholder's data; null for widget kinds that fetch nothing.
const dataUrl = (el) => {
  const d = el.dataset;
  if (d.vitrine !== 'recommendations') return null;
  const q = new URLSearchParams({ key: config.key || '' });
  q.set('context', d.sku ? 'product:' + d.sku : d.context || 'home');
  if (d.limit) q.set('limit', d.limit);
  if (d.cart) q.set('cart', d.cart);
  if (d.store) q.set('store', d.store);
  if (config.customerToken) q.set('customer_token', config.customerToken);
  return new URL('recommendations?' + q, base).href;
};
const getJson = (url) =>
  fetch(url, { credentials: 'omit', signal: AbortSignal.timeout(+config.timeout || 5000) }).then((r) =>
    r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status} from ${url}`)),
  );
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

const asset = (name) => new URL('assets/' + name, base).href;
const wasm = quiet(fetch(asset('__VITRINE_WASM__')));
const css = quiet(fetch(asset('__VITRINE_CSS__')).then((r) => r.text()));
import(asset('__VITRINE_GLUE__'))
  .then(async (glue) => {
    await glue.default({ module_or_path: wasm });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(await css);
    glue.start({ ...config, load, sheet, api });
  })
  .catch((err) => console.warn('[vitrine] widgets disabled:', err));
