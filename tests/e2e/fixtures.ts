// Shared helpers: a page that records what the console and the page report, and the
// recommendations widget as a page object.
import { test as base, expect, Locator, Page } from '@playwright/test';
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
    const url = new URL(route.request().url());
    const subs = url.searchParams.getAll('r').map((r) => {
      const [path, query] = r.split('?');
      return { path, params: new URLSearchParams(query ?? '') };
    });
    batches.push(subs);
    const answers = await Promise.all(subs.map(answer));
    await route.fulfill({
      status: 200,
      contentType: 'application/json',
      headers: { 'access-control-allow-origin': '*' },
      body: JSON.stringify({ answers }),
    });
  });
  return batches;
}

/** A recommendations answer with `count` tiles (SKU-1…), as the API gives it. */
export function recommendationsAnswer(count: number, context = 'home', personal = false): SubAnswer {
  return {
    status: 200,
    body: {
      recommendation_id: `${context}.${'0'.repeat(31)}${count}`,
      items: Array.from({ length: count }, (_, i) => ({
        sku: `SKU-${i + 1}`,
        title: `Produkt ${i + 1}`,
        url: `http://127.0.0.1:18081/product.html?sku=SKU-${i + 1}`,
        image_url: 'data:image/gif;base64,R0lGODlhAQABAAAAACw=',
        price: { amount_minor: 1999 + i * 100, currency: 'EUR' },
        reason: personal
          ? { kind: 'because_you_bought', sku: 'X', channel: 'store', store_id: 'S1', store_name: 'Ulm Münsterplatz' }
          : { kind: 'popular' },
      })),
    },
  };
}

/**
 * Serves `body` as a page of the storefront's origin at `path`, with the demo shop's real
 * script tag (its key read from the storefront's home page) plus `attributes` on it.
 */
export async function testPage(page: Page, path: string, body: string, attributes = ''): Promise<string> {
  const home = await (await page.request.get('/')).text();
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
