// Shared helpers: a page that records what the console and the page report, the widgets as page
// objects, and the API as the page reads it: GET /v1/batch mocked (mockBatch), or answered by the
// real API with chosen sub-requests overridden (routeBatch), or watched (apiReads, nextSubAnswer).
import { createHmac } from 'node:crypto';
import { test as base, expect, Locator, Page, Request, Route } from '@playwright/test';
import { STOREFRONT } from '../../playwright.config';

export { expect };

/** What a page said while the test ran. */
export interface PageLog {
  errors: string[];
  warnings: string[];
  consoleErrors: string[];
}

export const test = base.extend<{ log: PageLog }>({
  log: async ({ page }, use) => {
    const log: PageLog = { errors: [], warnings: [], consoleErrors: [] };
    page.on('pageerror', (error) => log.errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'warning') log.warnings.push(message.text());
      if (message.type() === 'error') log.consoleErrors.push(message.text());
    });
    await use(log);
  },
});

/** The recommendations widget on a page (Playwright's CSS locators pierce open shadow roots). */
export class RecommendationsWidget {
  readonly host: Locator;
  readonly tiles: Locator;
  readonly skeletons: Locator;

  constructor(page: Page) {
    this.host = page.locator('[data-vitrine="recommendations"]');
    this.tiles = this.host.locator('.vitrine-recs__tile:not(.vitrine-recs__tile--skeleton)');
    this.skeletons = this.host.locator('.vitrine-recs__tile--skeleton');
  }

  /** SKUs of the rendered tiles, in order. */
  async skus(): Promise<string[]> {
    return this.tiles.evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-sku') ?? ''));
  }

  /** Whether the tiles live inside the placeholder's shadow root (not in the page's DOM). */
  async rendersInShadowRoot(): Promise<boolean> {
    return this.host.evaluate(
      (el) =>
        el.shadowRoot !== null &&
        el.shadowRoot.querySelectorAll('.vitrine-recs__tile').length > 0 &&
        el.querySelectorAll('.vitrine-recs__tile').length === 0,
    );
  }
}

/** The store availability widget on a page. */
export class AvailabilityWidget {
  readonly host: Locator;
  readonly status: Locator;
  readonly sentence: Locator;
  readonly stock: Locator;
  readonly skeleton: Locator;
  readonly locate: Locator;
  readonly postcode: Locator;
  readonly error: Locator;
  readonly note: Locator;
  readonly toggle: Locator;
  readonly list: Locator;
  readonly stores: Locator;
  readonly live: Locator;

  constructor(page: Page) {
    this.host = page.locator('[data-vitrine="availability"]');
    this.status = this.host.locator('.vitrine-availability__status');
    this.sentence = this.host.locator('.vitrine-availability__sentence');
    this.stock = this.status.locator('.vitrine-availability__stock');
    this.skeleton = this.host.locator('.vitrine-availability__placeholder');
    this.locate = this.host.getByRole('button', { name: 'Meinen Standort verwenden' });
    this.postcode = this.host.getByLabel('Postleitzahl');
    this.error = this.host.locator('.vitrine-availability__error');
    this.note = this.host.locator('.vitrine-availability__note');
    this.toggle = this.host.locator('.vitrine-availability__toggle');
    this.list = this.host.locator('.vitrine-availability__stores');
    this.stores = this.list.locator('.vitrine-availability__store');
    this.live = this.host.locator('.vitrine-availability__live');
  }

  /** The id of the store the widget shows as the best. */
  async bestStore(): Promise<string | null> {
    return this.status.getAttribute('data-store-id');
  }

  /** Searches by postcode as a shopper does: types it and presses Enter. */
  async searchPostcode(postcode: string): Promise<void> {
    await this.postcode.fill(postcode);
    await this.postcode.press('Enter');
  }
}

/** The loyalty points widget on a page. */
export class LoyaltyWidget {
  readonly host: Locator;
  readonly section: Locator;
  readonly heading: Locator;
  readonly tier: Locator;
  readonly balance: Locator;
  readonly value: Locator;
  readonly progress: Locator;
  readonly next: Locator;
  readonly lines: Locator;
  readonly pitch: Locator;
  readonly join: Locator;

  constructor(page: Page) {
    this.host = page.locator('[data-vitrine="loyalty"]');
    this.section = this.host.locator('.vitrine-loyalty');
    this.heading = this.host.locator('.vitrine-loyalty__heading');
    this.tier = this.host.locator('.vitrine-loyalty__tier');
    this.balance = this.host.locator('.vitrine-loyalty__balance');
    this.value = this.host.locator('.vitrine-loyalty__value');
    this.progress = this.host.getByRole('progressbar');
    this.next = this.host.locator('.vitrine-loyalty__next');
    this.lines = this.host.locator('.vitrine-loyalty__line');
    this.pitch = this.host.locator('.vitrine-loyalty__pitch');
    this.join = this.host.getByRole('link', { name: 'Anmelden oder Mitglied werden' });
  }

  /** Whether the skeleton is showing (the answer has not come yet). */
  async loading(): Promise<boolean> {
    return (await this.section.getAttribute('aria-busy')) === 'true';
  }

  /** The ledger lines, newest first: each line's parts (points, what, date) joined by " · ",
   *  with Intl's no-break spaces as spaces. */
  async ledger(): Promise<string[]> {
    return this.lines.evaluateAll((lines) =>
      lines.map((line) =>
        (line.children.length ? [...line.children].map((part) => part.textContent).join(' · ') : line.textContent ?? '')
          .replace(/[\u00a0\u202f]/g, ' '),
      ),
    );
  }
}

/** The cart recovery dialog (no placeholder: a host element on <body> with a shadow root). */
export class CartRecoveryDialog {
  readonly host: Locator;
  readonly dialog: Locator;
  readonly heading: Locator;
  readonly close: Locator;
  readonly titles: Locator;
  readonly prices: Locator;
  readonly total: Locator;
  readonly code: Locator;
  readonly copy: Locator;
  readonly live: Locator;
  readonly pickup: Locator;
  readonly back: Locator;

  constructor(page: Page) {
    this.host = page.locator('#vitrine-cart-recovery');
    this.dialog = this.host.locator('dialog');
    this.heading = this.dialog.locator('#vitrine-cart-heading');
    this.close = this.dialog.getByRole('button', { name: 'Schließen' });
    this.titles = this.dialog.locator('.vitrine-cart__title');
    this.prices = this.dialog.locator('.vitrine-cart__price');
    this.total = this.dialog.locator('.vitrine-cart__total');
    this.code = this.dialog.locator('.vitrine-cart__code');
    this.copy = this.dialog.locator('.vitrine-cart__copy');
    this.live = this.dialog.locator('[role="status"]');
    this.pickup = this.dialog.locator('.vitrine-cart__pickup');
    this.back = this.dialog.getByRole('link', { name: 'Zurück zum Warenkorb' });
  }
}

/** One sub-request of `GET /v1/batch` (`recommendations?context=home&limit=4`), parsed. */
export interface SubRequest {
  path: string;
  params: URLSearchParams;
}

/** What a mocked batch answers for one sub-request: status and body. */
export type SubAnswer = { status: number; body: unknown };

/**
 * Answers `GET /v1/batch` from `answer` per sub-request, as the server would (in order), and
 * records every batch the page sent: the sub-requests of each.
 */
export async function mockBatch(
  page: Page,
  answer: (sub: SubRequest) => SubAnswer | Promise<SubAnswer>,
): Promise<SubRequest[][]> {
  const batches: SubRequest[][] = [];
  await page.route('**/v1/batch?**', async (route) => {
    const subs = subRequests(route.request());
    batches.push(subs);
    await fulfilAnswers(route, await Promise.all(subs.map(answer)));
  });
  return batches;
}

/** CORS for answers made up by a test (the loader sends no credentials). */
const CORS = { 'access-control-allow-origin': '*' };

/** The sub-requests of a `GET /v1/batch` request, in order. */
function subRequests(request: Request): SubRequest[] {
  return new URL(request.url()).searchParams.getAll('r').map((r) => {
    const [path, query] = r.split('?');
    return { path, params: new URLSearchParams(query ?? '') };
  });
}

/** Answers a batch with `answers`, in its sub-requests' order. */
function fulfilAnswers(route: Route, answers: SubAnswer[]): Promise<void> {
  return route.fulfill({ status: 200, contentType: 'application/json', headers: CORS, body: JSON.stringify({ answers }) });
}

/** An API error answer: `{"error": {"code": …, "message": …}}` with `status`. */
export function errorAnswer(status: number, code: string): SubAnswer {
  return { status, body: { error: { code, message: code } } };
}

/** The parameters a batch gives once, for all its sub-requests. */
const SHARED = ['key', 'customer_token', 'visitor_id'];
/** The API's browser reads: the endpoints a batch carries. */
const READS = ['recommendations', 'availability', 'loyalty', 'cart-recovery', 'consent'];

/** One read of the page from the API: a sub-request of a batch, or a request to the endpoint itself. */
export interface ApiRead extends SubRequest {
  /** `batch`: inside `GET /v1/batch`; `single`: `GET /v1/<path>` on its own. */
  via: 'batch' | 'single';
  /** The endpoint's own query (without the shared parameters). */
  params: URLSearchParams;
  /** `key`, `customer_token` and `visitor_id`, as the request carried them. */
  shared: URLSearchParams;
}

/** The reads a request of the page carries, in order (none for anything but the API's reads). */
export function readsOf(request: Request): ApiRead[] {
  const url = new URL(request.url());
  const path = url.pathname.replace(/^\/v1\//, '');
  if (request.method() != 'GET' || !url.pathname.startsWith('/v1/')) return [];
  const [shared, own] = [true, false].map(
    (isShared) => new URLSearchParams([...url.searchParams].filter(([name]) => SHARED.includes(name) == isShared)),
  );
  if (path == 'batch') return subRequests(request).map((sub) => ({ ...sub, via: 'batch', shared }));
  return READS.includes(path) ? [{ path, params: own, via: 'single', shared }] : [];
}

/** Every read the page makes from now on (batched or single), in the order sent. */
export function apiReads(page: Page): ApiRead[] {
  const reads: ApiRead[] = [];
  page.on('request', (request) => reads.push(...readsOf(request)));
  return reads;
}

/** Holds the widget bundle's wasm (not the storefront app's) back until `released` settles (at
 *  most 5 s). */
export async function holdWasmUntil(page: Page, released: Promise<unknown>): Promise<void> {
  await page.route(/\/v1\/assets\/[^/]*_bg\.wasm$/, async (route) => {
    await Promise.race([released, new Promise((resolve) => setTimeout(resolve, 5000))]);
    await route.continue();
  });
}

/**
 * Holds the bundle's wasm back until the page has sent a read at `path`, so that "the loader
 * asks without waiting for the wasm" is a fact to check rather than a race between a local
 * download and the first frame. The returned function counts the reads at `path` sent while
 * the wasm was held.
 */
export async function holdWasm(page: Page, path: string): Promise<() => number> {
  let held = true;
  let whileHeld = 0;
  let seen = () => {};
  const sent = new Promise<void>((resolve) => (seen = resolve));
  page.on('request', (request) => {
    if (!readsOf(request).some((read) => read.path == path)) return;
    if (held) whileHeld += 1;
    seen();
  });
  await holdWasmUntil(page, sent.then(() => (held = false)));
  return () => whileHeld;
}

/** One layout shift of one element, as the browser's Layout Instability API reports it. */
export interface Shift {
  was: { y: number; height: number };
  now: { y: number; height: number };
  /** Whether the element is the shop's own (not inside a widget's shadow root). */
  page: boolean;
}

/**
 * Records the page's layout shifts from the very start (frames as painted); read them with
 * {@link shifts}.
 */
export async function recordShifts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as any;
    w.shifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as any[])
        for (const { node, previousRect: was, currentRect: now } of entry.sources)
          w.shifts.push({
            was: { y: was.y, height: was.height },
            now: { y: now.y, height: now.height },
            // The API names no node inside a shadow root.
            page: !!node && node.getRootNode() === document,
          });
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/** The shifts recorded so far, once the frames painted until now have been reported. */
export async function shifts(page: Page): Promise<Shift[]> {
  return page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve((window as any).shifts)))),
  );
}

/**
 * The answer the page gets to the next read that `matches` (sent in a batch), once it has come:
 * start waiting before the navigation that sends it.
 */
export async function nextSubAnswer(page: Page, matches: (read: ApiRead) => boolean): Promise<SubAnswer> {
  const response = await page.waitForResponse((r) => readsOf(r.request()).some((read) => read.via == 'batch' && matches(read)));
  const index = readsOf(response.request()).findIndex(matches);
  return (await response.json()).answers[index];
}

/**
 * What a test does with a sub-request instead of letting the API answer it: answers it with a
 * status and body (an error, a wrong shape), or lets the API answer it only once `after` has
 * settled (the whole batch carrying it waits: a batch is one response).
 */
export type SubOverride = SubAnswer | { after: Promise<unknown> };

/** Overrides by endpoint path (`loyalty`): one for every such sub-request, or a function of the
 *  sub-request that gives one (or nothing: the API answers it). */
export type Overrides = Record<
  string,
  SubOverride | ((sub: SubRequest) => SubOverride | undefined | Promise<SubOverride | undefined>)
>;

/**
 * Intercepts the page's `GET /v1/batch`: the sub-requests `overrides` names are answered as it
 * says; every other one by the real API (one real batch of just those, with the page's `Origin`
 * and the batch's shared parameters), and the answers go back in request order. A real batch
 * the API refuses as a whole (401, 403, 429) goes to the page as it is. Returns every batch the
 * page sent: the sub-requests of each.
 */
export async function routeBatch(page: Page, overrides: Overrides): Promise<SubRequest[][]> {
  const batches: SubRequest[][] = [];
  await page.route('**/v1/batch?**', async (route) => {
    const subs = subRequests(route.request());
    batches.push(subs);
    const chosen = await Promise.all(
      subs.map((sub) => {
        const override = overrides[sub.path];
        return typeof override == 'function' ? override(sub) : override;
      }),
    );
    await Promise.all(chosen.map((override) => override && 'after' in override && override.after));
    const mocked = chosen.map((override) => (override && 'status' in override ? override : undefined));
    const url = new URL(route.request().url());
    const real = url.searchParams.getAll('r').filter((_, i) => !mocked[i]);
    let answers: SubAnswer[] = [];
    if (real.length) {
      url.searchParams.delete('r');
      for (const r of real) url.searchParams.append('r', r);
      const response = await route.fetch({ url: url.href });
      if (response.status() != 200) return route.fulfill({ response });
      answers = (await response.json()).answers;
    }
    await fulfilAnswers(route, mocked.map((answer) => answer ?? answers.shift()!));
  });
  return batches;
}

/**
 * The height of a placeholder beyond the space the loader holds for it. A widget whose data
 * failed draws nothing; once its skeleton has been painted, the placeholder keeps the
 * skeleton's height (an inline min-height) while in view, so nothing on the page moves. So 0
 * for a collapsed widget.
 */
export function ownHeight(host: Locator): Promise<number> {
  return host.evaluate(
    (el: HTMLElement) => Math.round(el.getBoundingClientRect().height) - Math.round(parseFloat(el.style.minHeight) || 0),
  );
}

/** Ways a request to the API fails as a whole, for `page.route` (of `/v1/batch` or an endpoint). */
export const FAILURES = {
  unreachable: (route: Route) => route.abort('connectionrefused'),
  'answering 500': (route: Route) =>
    route.fulfill({ status: 500, contentType: 'application/json', headers: CORS, body: JSON.stringify(errorAnswer(500, 'internal').body) }),
  'answering garbage': (route: Route) =>
    route.fulfill({ status: 200, contentType: 'application/json', headers: CORS, body: '{"answers": [{"status": 200, "body": {"it' }),
};

/** A recommendations answer with `count` tiles (SKU-1…), as the API gives it. */
export function recommendationsAnswer(count: number, context = 'home', personal = false): SubAnswer {
  return {
    status: 200,
    body: {
      recommendation_id: `${context}.${'0'.repeat(31)}${count}`,
      items: Array.from({ length: count }, (_, i) => ({
        sku: `SKU-${i + 1}`,
        title: `Produkt ${i + 1}`,
        url: `${STOREFRONT}/produkt/SKU-${i + 1}`,
        image_url: 'data:image/gif;base64,R0lGODlhAQABAAAAACw=',
        price: { amount_minor: 1999 + i * 100, currency: 'EUR' },
        reason: personal
          ? { kind: 'because_you_bought', sku: 'X', channel: 'store', store_id: 'S1', store_name: 'Ulm Münsterplatz' }
          : { kind: 'popular' },
      })),
    },
  };
}

/** The demo shop's secret key: what its backend (played by the tests) signs and reports with. */
export const SECRET_KEY = 'sk_demo_alpenhaus_not_for_production';

/** A customer token for `customer`, valid for ten minutes, signed as the demo shop's backend does
 * (with its secret key, which never reaches the browser). */
export function customerToken(customer: string): string {
  const expiry = Math.floor(Date.now() / 1000) + 600;
  const mac = createHmac('sha256', SECRET_KEY).update(`${customer}.${expiry}`).digest('hex');
  return `${customer}.${expiry}.${mac}`;
}

/**
 * Puts `attributes` on the demo page's script tag as it is parsed, as the shop's backend would
 * render them (`data-customer-token`, `data-consent`). Not by rewriting the page with page.route,
 * which would make Chromium treat it as a public page that may not call loopback.
 */
export async function onScriptTag(page: Page, attributes: Record<string, string>): Promise<void> {
  await page.addInitScript((attributes) => {
    new MutationObserver((_, observer) => {
      const tag = document.querySelector('script[data-key]');
      if (tag) {
        for (const [name, value] of Object.entries(attributes)) tag.setAttribute(name, value);
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  }, attributes);
}

/**
 * Serves `body` as a page of the storefront's origin at `path`, with the demo shop's real
 * script tag (its key read from the storefront's plain page) plus `attributes` on it.
 */
export async function testPage(page: Page, path: string, body: string, attributes = ''): Promise<string> {
  const home = await (await page.request.get('/plain.html')).text();
  const tag = home.match(/<script type="module" src="[^"]+"[^>]*>/)![0].replace('>', ` ${attributes}>`);
  const url = new URL(path, STOREFRONT).href;
  await page.route(url, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="de"><head><meta charset="utf-8"><link rel="icon" href="data:,">
             <title>Test</title>${tag}</script></head><body>${body}</body></html>`,
    }),
  );
  return url;
}
