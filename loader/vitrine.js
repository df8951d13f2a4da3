// Vitrine loader: the one script a shop embeds (<script type="module" src=".../v1/vitrine.js"
// data-key="pk_…" data-locale="de-DE" data-currency="EUR">). It owns everything that is not
// drawing: window.Vitrine, consent, the visitor id, one batched API request for the widgets
// that come into view together, the per-page and repeat-view caches, event beacons, single-page
// shops (placeholders added, removed, changed) and the fault guard around the wasm. The wasm
// draws the widgets. The server fills in the hashed file names (__VITRINE_…__). docs/embed.md.
const base = new URL('./', import.meta.url);
const tag = [...document.scripts].find((s) => s.src === import.meta.url);
const config = { ...(tag ? tag.dataset : {}) };
const now = () => Math.floor(Date.now() / 1000);
const newId = () => crypto.randomUUID().replace(/-/g, '');
const emit = (name, detail) => document.dispatchEvent(new CustomEvent('vitrine:' + name, { detail }));

// Browser storage, only ever under "vitrine:" keys; quiet where storage is forbidden.
const storage = (area, key, value) => {
  try {
    const s = window[area];
    if (value === undefined) return s.getItem('vitrine:' + key);
    if (value === null) s.removeItem('vitrine:' + key);
    else s.setItem('vitrine:' + key, value);
  } catch {}
};

// Consent. `data-consent="opt-in"`: nothing is stored and nothing tracked until
// Vitrine.setConsent() allows it; otherwise both are allowed until the shopper withdraws.
const optIn = config.consent == 'opt-in';
let consent = { tracking: !optIn, personalisation: !optIn };
try {
  Object.assign(consent, JSON.parse(storage('localStorage', 'consent')));
} catch {}
const mayStore = () => consent.tracking || consent.personalisation;
// Removes the "vitrine:<prefix>…" keys of a storage area.
const forget = (area, prefix) => {
  try {
    for (const key of Object.keys(window[area])) if (key.startsWith('vitrine:' + prefix)) storage(area, key.slice(8), null);
  } catch {}
};
// The visitor id, and whether a customer was signed in on this browser ("signed-in", so that
// a page without the token after one with it is seen as a sign-out), with storage consent.
let visitor = null;
const ensureVisitor = () => {
  if (mayStore()) {
    visitor ||= storage('localStorage', 'visitor') || newId();
    storage('localStorage', 'visitor', visitor);
    if (config.customerToken) storage('localStorage', 'signed-in', 1);
  }
};
// After a sign-out the next person on this browser is a new anonymous visitor: a new visitor
// id, and the old identity's cached answers gone.
let who = 0;
const newVisitor = () => {
  who++;
  config.customerToken = '';
  forget('sessionStorage', 'answer:');
  storage('localStorage', 'signed-in', null);
  storage('localStorage', 'visitor', null);
  visitor = null;
  ensureVisitor();
};
if (!config.customerToken && storage('localStorage', 'signed-in')) newVisitor();
ensureVisitor();

// API URLs: the key goes with every request. GETs carry a signed-in customer's token and (with
// personalisation consent) the visitor id in the query (a header would cost a CORS preflight;
// the server keeps both out of its log); beacons (POST, `beacon` set) carry them in the JSON
// body only.
const apiUrl = (path, params = {}, beacon) => {
  const q = new URLSearchParams({ key: config.key || '' });
  if (!beacon) {
    if (config.customerToken) q.set('customer_token', config.customerToken);
    if (visitor && consent.personalisation) q.set('visitor_id', visitor);
  }
  for (const [name, value] of Object.entries(params)) {
    for (const v of [].concat(value)) if (v != null) q.append(name, v);
  }
  return new URL(path + '?' + q, base).href;
};
// A rejection says why: its `code` is the API's error code when it sent one.
const failure = (status, body, what) =>
  Object.assign(new Error(`HTTP ${status} from ${what}`), { status, code: body?.error?.code });
const getJson = (u) =>
  fetch(u, {
    credentials: 'omit',
    cache: mayStore() ? 'no-cache' : 'no-store',
    signal: AbortSignal.timeout(+config.timeout || 5000),
  }).then(async (r) => {
    if (r.ok) return r.json();
    throw failure(r.status, await r.json().catch(() => 0), u);
  });
const post = (path, body) =>
  fetch(apiUrl(path, {}, 1), { method: 'POST', body: JSON.stringify(body), keepalive: true, credentials: 'omit' }).catch(
    () => {},
  );
const quiet = (promise) => (promise.catch(() => {}), promise);

// Each widget's data as a sub-request of GET /v1/batch: "recommendations?context=home".
const remembered = () => (storage('localStorage', 'availability:postcode') || '').split(' ');
const subRequest = ({ dataset: d }) => {
  const sub = (path, params) => {
    const q = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value) q.set(name, value);
    return path + (q.size ? '?' + q : '');
  };
  const [postcode, country] = remembered();
  return d.vitrine == 'recommendations'
    ? sub('recommendations', {
        context: d.sku ? 'product:' + d.sku : d.context || 'home',
        limit: d.limit,
        cart: d.context == 'cart' && d.cart,
        store: d.store,
      })
    : d.vitrine == 'availability' && d.sku
      ? sub('availability', { sku: d.sku, postcode, country })
      : d.vitrine == 'loyalty'
        ? sub('loyalty', { lines: d.lines, currency: config.currency })
        : null;
};

// Answers per page view (sub-request → promise), and for repeat views within five minutes in
// sessionStorage: shown at once, revalidated by the batch, redrawn when they changed.
let answers = new Map();
let pending = null;
const cacheKey = (sub) => 'answer:' + [sub, config.customerToken, visitor].join('|');
const request = (sub, fresh) => {
  if (!fresh && answers.has(sub)) return answers.get(sub);
  let settle;
  const answer = quiet(new Promise((resolve, reject) => (settle = { resolve, reject })));
  answers.set(sub, answer);
  if (!pending) {
    pending = new Map();
    queueMicrotask(flush);
  }
  pending.set(sub, settle);
  let cached;
  try {
    cached = JSON.parse(storage('sessionStorage', cacheKey(sub)));
  } catch {}
  if (!fresh && cached && now() - cached.at < 300 && sub != 'cart-recovery') {
    settle.resolve(cached.body);
    settle.cached = JSON.stringify(cached.body);
  }
  return answer;
};
const flush = () => {
  const batch = [...pending];
  const asked = who;
  pending = null;
  for (let i = 0; i < batch.length; i += 20) {
    const part = batch.slice(i, i + 20);
    getJson(apiUrl('batch', { r: part.map(([sub]) => sub) })).then(
      ({ answers: got }) =>
        // Answers for an identity signed out meanwhile are neither kept nor drawn.
        asked == who &&
        part.forEach(([sub, settle], index) => {
          const { status, body } = got[index] || {};
          if (status != 200) return settle.reject(failure(status, body, sub));
          const text = JSON.stringify(body);
          if (mayStore() && sub != 'cart-recovery')
            storage('sessionStorage', cacheKey(sub), JSON.stringify({ at: now(), body }));
          if (settle.cached == null) settle.resolve(body);
          else if (settle.cached != text) {
            answers.set(sub, Promise.resolve(body));
            for (const [el, shown] of [...mounted]) if (shown == sub) remount(el);
          }
        }),
      (err) => part.forEach(([sub, settle]) => (answers.delete(sub), settle.reject(err))),
    );
  }
};

// Events (Vitrine.track and the widgets' impressions and clicks): batched, sent with
// sendBeacon (text/plain: no CORS preflight) after two seconds or when the page is hidden.
// Only with tracking consent; nothing is queued without it.
let outbox = [];
let timer = 0;
const send = () => {
  clearTimeout(timer);
  timer = 0;
  while (outbox.length) {
    const body = JSON.stringify({
      visitor_id: visitor,
      customer_token: config.customerToken || undefined,
      events: outbox.splice(0, 50),
    });
    const url = apiUrl('events', {}, 1);
    if (!navigator.sendBeacon(url, body)) post('events', JSON.parse(body));
  }
};
const track = (type, props) => {
  if (!consent.tracking || !visitor) return;
  outbox.push({ ...props, type, id: newId(), occurred_at: now() });
  // A click usually leaves the page: sent at once.
  if (outbox.length >= 50 || type == 'click') send();
  else timer ||= setTimeout(send, 2000);
};
addEventListener('pagehide', send);
addEventListener('visibilitychange', () => document.visibilityState == 'hidden' && send());

// Placeholders: each is drawn when it comes within 400 px of the viewport; the ones that do
// so together share one batch. Added, removed and changed placeholders are followed.
let glue = null;
let dead = false;
const mounted = new Map(); // placeholder → its sub-request (or "" when it fetches nothing)
const mount = (el) => {
  if (glue && !dead && el.isConnected && !mounted.has(el)) {
    mounted.set(el, subRequest(el) || '');
    requestAnimationFrame(() => painted.add(el));
    glue.mount(el);
  }
};
const unmount = (el) => mounted.delete(el) && !dead && glue.unmount(el);
const remount = (el) => (unmount(el), mount(el));
const near = new Set();
const seen = new IntersectionObserver(
  (entries) => {
    for (const { target, isIntersecting } of entries) {
      if (!isIntersecting) continue;
      seen.unobserve(target);
      near.add(target);
      const sub = subRequest(target);
      if (sub) request(sub);
      mount(target);
    }
    askRecovery();
  },
  { rootMargin: '400px' },
);
const changes = new MutationObserver((records) => {
  for (const { type, target, attributeName, addedNodes, removedNodes } of records) {
    // A changed data-* attribute: the widget follows it itself (availability, a new data-sku:
    // the shopper's place is kept) or is redrawn.
    if (type == 'attributes') {
      if (mounted.has(target) && attributeName.startsWith('data-') && !glue.update(target, attributeName)) remount(target);
      continue;
    }
    for (const node of removedNodes)
      for (const el of placeholders(node))
        if (!el.isConnected) unmount(el), near.delete(el), seen.unobserve(el), hold.unobserve(el);
    for (const node of addedNodes) placeholders(node).forEach(watch);
  }
});
const placeholders = (node) =>
  node.nodeType != 1 ? [] : [...(node.matches('[data-vitrine]') ? [node] : []), ...node.querySelectorAll('[data-vitrine]')];
const watch = (el) => {
  seen.observe(el);
  changes.observe(el, { attributes: true });
};
changes.observe(document.documentElement, { childList: true, subtree: true });
document.querySelectorAll('[data-vitrine]').forEach(watch);

// Cart recovery has no placeholder: asked once per page, in the first batch, for a customer or
// a visitor who allows personalisation. Its dialog waits until the page has settled.
let recovery = null;
const askRecovery = () => {
  if (!recovery && (config.customerToken || (visitor && consent.personalisation)))
    recovery = request('cart-recovery');
};
if (!document.querySelector('[data-vitrine]')) askRecovery();
const settled = () =>
  new Promise((r) => (document.readyState == 'complete' ? r() : addEventListener('load', r))).then(
    () => new Promise((r) => (window.requestIdleCallback || setTimeout)(r, { timeout: 2000 })),
  );
const closeDialog = () => {
  document.getElementById('vitrine-cart-recovery')?.remove();
  document.documentElement.style.overflow = '';
};
const act = (offer_id, action) =>
  post('cart-recovery/actions', { customer_token: config.customerToken || undefined, visitor_id: visitor || undefined, offer_id, action });

// Everything redrawn: after a sign-in, a consent change or Vitrine.refresh().
const refresh = () => {
  answers = new Map();
  for (const el of [...mounted.keys()]) unmount(el);
  near.clear();
  document.querySelectorAll('[data-vitrine]').forEach(watch);
};

// window.Vitrine: calls queued before the loader ran (window.Vitrine = {q: [[name, args]]})
// are replayed in order.
const api = {
  track: (type, props = {}) => track(type, props),
  // A sign-in; `null` (or Vitrine.signOut()) is a sign-out.
  identify: (token) => {
    if (!token) return api.signOut();
    config.customerToken = token;
    ensureVisitor();
    if (visitor && consent.tracking) post('identify', { visitor_id: visitor, customer_token: token });
    refresh();
  },
  // The old identity's queued events go out first; its open cart dialog closes.
  signOut: () => {
    send();
    newVisitor();
    closeDialog();
    refresh();
  },
  setConsent: (choice) => {
    const had = visitor;
    // Only the two known choices, as booleans: the API refuses anything else.
    for (const name of ['tracking', 'personalisation']) if (name in choice) consent[name] = !!choice[name];
    ensureVisitor();
    if (visitor) post('consent', { visitor_id: visitor, customer_token: config.customerToken || undefined, ...consent, source: 'vitrine_js' });
    if (mayStore()) storage('localStorage', 'consent', JSON.stringify(consent));
    else {
      outbox = [];
      visitor = null;
      forget('localStorage', '');
      forget('sessionStorage', '');
    }
    emit('consent', { ...consent });
    if (had != visitor || choice.personalisation != null) refresh();
  },
  refresh,
  on: (name, handler) => {
    const listener = (event) => handler(event.detail, event);
    document.addEventListener('vitrine:' + name, listener);
    return () => document.removeEventListener('vitrine:' + name, listener);
  },
};
const queued = (window.Vitrine && window.Vitrine.q) || [];
window.Vitrine = api;
for (const [name, args] of queued) api[name]?.(...args);

// A widget that gives up collapses (its data failed, came garbled or empty): the wasm calls
// this first. Once its skeleton has been painted, the placeholder keeps that height while in
// view, so nothing on the page jumps back up; out of view it lets go (above the viewport the
// browser's scroll anchoring keeps the page still).
const painted = new WeakSet();
const hold = new IntersectionObserver((entries) => {
  for (const { target, isIntersecting } of entries)
    if (!isIntersecting) (target.style.minHeight = ''), hold.unobserve(target);
});
const collapse = (node) => {
  const el = node.getRootNode().host;
  const height = el && el.getBoundingClientRect().height;
  if (painted.has(el) && height) {
    el.style.minHeight = height + 'px';
    hold.observe(el);
  }
};
// The wasm asks for a placeholder's data: the batch's answer for its sub-request.
const load = (el) => {
  const sub = subRequest(el);
  if (!sub) return Promise.reject(new Error(`no data for "${el.dataset.vitrine}"`));
  mounted.set(el, sub);
  return request(sub);
};
// Later requests of a widget (another postcode): fresh answers of the API.
const fetchJson = (path, params) => getJson(apiUrl(path, params));

// The fault guard. A panic in the wasm traps out of whichever export was running; every
// export is wrapped, so a trap is caught, the widgets are taken down quietly and the wasm is
// never entered again. The host page keeps working.
const fault = (err) => {
  dead = true;
  seen.disconnect();
  changes.disconnect();
  for (const el of mounted.keys()) el.shadowRoot?.replaceChildren();
  closeDialog();
  console.warn('[vitrine] widgets stopped after an internal error:', err);
  emit('error', { error: err });
};
const guard = (exports) => {
  const safe = {};
  for (const [name, f] of Object.entries(exports))
    safe[name] =
      typeof f != 'function'
        ? f
        : (...args) => {
            if (dead) return;
            try {
              return f(...args);
            } catch (err) {
              fault(err);
            }
          };
  return safe;
};

const asset = (name) => new URL('assets/' + name, base).href;
const wasm = quiet(fetch(asset('__VITRINE_WASM__')));
const css = quiet(fetch(asset('__VITRINE_CSS__')).then((r) => r.text()));
import(asset('__VITRINE_GLUE__'))
  .then(async (module) => {
    const response = await wasm;
    const streaming = WebAssembly.instantiateStreaming;
    WebAssembly.instantiateStreaming = async (source, imports) => {
      const { instance, module: compiled } = await streaming(source, imports);
      return { module: compiled, instance: source === response ? { exports: guard(instance.exports) } : instance };
    };
    try {
      await module.default({ module_or_path: response });
    } finally {
      WebAssembly.instantiateStreaming = streaming;
    }
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(await css);
    askRecovery();
    // The options are `config` itself, so the wasm reads the token as it stands (sign-in and
    // sign-out change it).
    module.start(Object.assign(config, { load, fetchJson, sheet, track, collapse, recovery, settled, act, mayStore, emit }));
    if (dead) return;
    glue = module;
    near.forEach(mount);
    emit('ready', {});
  })
  .catch((err) => console.warn('[vitrine] widgets disabled:', err));
