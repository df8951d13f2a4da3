// Theming: the --vitrine-* custom properties a shop sets on :root or on a placeholder reach
// into the widgets' shadow roots; unset, the defaults apply; the dark demo page is readable.
// The API is answered by page.route (GET /v1/batch).
import type { Locator, Page } from '@playwright/test';
import { expect, mockBatch, recommendationsAnswer, SubRequest, test, testPage } from './fixtures';

/** The computed value of each CSS property of the element `locator` finds (inside its
 *  placeholder's shadow root). */
function computed(locator: Locator, properties: string[]): Promise<Record<string, string>> {
  return locator.evaluate(
    (el, properties) => Object.fromEntries(properties.map((p) => [p, getComputedStyle(el).getPropertyValue(p)])),
    properties,
  );
}

/** Answers for the demo's widgets: recommendations, availability, a member's points. */
const answers = (sub: SubRequest) => {
  if (sub.path == 'recommendations') return recommendationsAnswer(Math.min(4, +(sub.params.get('limit') ?? 4)));
  if (sub.path == 'availability') {
    const store = (store_id: string, name: string, distance_m: number, stock: string) => ({
      store_id, name, street: 'Münsterplatz 1', postcode: '89073', city: 'Ulm', country: 'DE', usual: store_id == 'ulm',
      distance_m, stock, timezone: 'Europe/Berlin', open_now: true, opening_hours: {},
      pickup: { ready_at: '2030-11-25T16:00:00+01:00', days_from_today: 0 },
    });
    return {
      status: 200,
      body: {
        sku: sub.params.get('sku'),
        origin: { source: 'postcode', postcode: '89073', country: 'DE', place: 'Ulm' },
        stores: [store('ulm', 'Ulm Münsterplatz', 850, 'low'), store('muc', 'München-Schwabing', 118_000, 'in_stock')],
      },
    };
  }
  if (sub.path == 'loyalty')
    return {
      status: 200,
      body: {
        status: 'member', balance: 1_249, value: { amount_minor: 1_249, currency: 'EUR' },
        tier: { name: 'Silber', multiplier_percent: 125 }, next_tier: { name: 'Gold', threshold: 2_000, points_needed: 751 },
        qualifying_points: 1_249, tier_window_days: 365,
        lines: [
          { kind: 'accrual', points: 1_249, occurred_at: 1_790_000_000, channel: 'store', store_name: 'Ulm Münsterplatz' },
          { kind: 'redemption', points: -500, occurred_at: 1_789_000_000 },
        ],
      },
    };
  // No cart recovery: the dialog stays away without a warning.
  return { status: 404, body: { error: { code: 'no_cart_recovery', message: 'none' } } };
};

/** A test page with `head` (a style element) and two recommendation placeholders, the second
 *  with `attributes`. */
async function themedPage(page: Page, head: string, attributes = ''): Promise<void> {
  await mockBatch(page, answers);
  const url = await testPage(
    page,
    '/t/theme.html',
    `${head}<div id="a" data-vitrine="recommendations" data-limit="2"></div>
     <div id="b" data-vitrine="recommendations" data-context="cart" data-limit="2" ${attributes}></div>`,
  );
  await page.goto(url);
  await expect(page.locator('#b .vitrine-recs__price')).toHaveCount(2);
}

/** Checks the computed styles inside the placeholder `host`: per selector, per property. */
async function expectStyles(page: Page, host: string, expected: Record<string, Record<string, string>>) {
  for (const [selector, styles] of Object.entries(expected)) {
    const element = page.locator(`${host} ${selector}`).first();
    expect(await computed(element, Object.keys(styles)), `${host} ${selector}`).toEqual(styles);
  }
}

test('custom properties set on :root reach every widget; set on a placeholder, that widget only', async ({ page }) => {
  await themedPage(
    page,
    `<style>:root { --vitrine-accent: rgb(200, 0, 0); --vitrine-text: rgb(1, 2, 3); --vitrine-muted: rgb(4, 5, 6);
       --vitrine-font: Georgia, serif; --vitrine-font-size: 20px; --vitrine-radius: 3px; --vitrine-spacing: 10px;
       --vitrine-surface: rgb(7, 8, 9); --vitrine-accent-text: rgb(10, 11, 12); }</style>`,
    'style="--vitrine-accent: rgb(0, 0, 200); --vitrine-radius: 0px"',
  );
  await expectStyles(page, '#a', {
    '.vitrine': { color: 'rgb(1, 2, 3)', 'font-family': 'Georgia, serif', 'font-size': '20px' },
    '.vitrine-recs__price': { color: 'rgb(200, 0, 0)' },
    '.vitrine-recs__reason': { color: 'rgb(4, 5, 6)' },
    '.vitrine-recs__image': { 'border-top-left-radius': '3px', 'background-color': 'rgb(7, 8, 9)' },
    '.vitrine-recs__add': { 'background-color': 'rgb(200, 0, 0)', color: 'rgb(10, 11, 12)' },
    // The spacing unit: the tiles' gap is two units.
    '.vitrine-recs__list': { 'column-gap': '20px' },
  });
  // The second placeholder's own values win over :root's, for it alone.
  await expectStyles(page, '#b', {
    '.vitrine': { color: 'rgb(1, 2, 3)' },
    '.vitrine-recs__price': { color: 'rgb(0, 0, 200)' },
    '.vitrine-recs__image': { 'border-top-left-radius': '0px' },
  });
});

test('without custom properties the defaults apply', async ({ page }) => {
  // The page's own inherited styles do not reach in either.
  await themedPage(page, '<style>body { color: rgb(255, 0, 0); font: 30px serif; }</style>');
  await expectStyles(page, '#a', {
    '.vitrine': {
      color: 'rgb(31, 35, 40)',
      'font-size': '16px',
      'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    },
    '.vitrine-recs__price': { color: 'rgb(11, 110, 79)' },
    '.vitrine-recs__reason': { color: 'rgb(91, 100, 112)' },
    '.vitrine-recs__image': { 'border-top-left-radius': '8px', 'background-color': 'rgb(236, 238, 240)' },
    '.vitrine-recs__add': { color: 'rgb(255, 255, 255)' },
    '.vitrine-recs__list': { 'column-gap': '16px' },
  });
});

/** A signed-in customer (her points, her cart): the token the shop's backend would render on
 *  the script tag, set as the tag is parsed. */
function signIn(page: Page): Promise<void> {
  return page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      const tag = document.querySelector('script[data-key]');
      if (tag) {
        tag.setAttribute('data-customer-token', 'K-DARK.1.ab');
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
}

/** WCAG contrast ratio of two `rgb(…)` colours. */
function contrast(one: string, two: string): number {
  const luminance = (color: string) => {
    const [r, g, b] = color.match(/[\d.]+/g)!.slice(0, 3).map((c) => {
      const v = +c / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(one), luminance(two)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('the dark demo page renders the widgets with light text on a dark background', async ({ page, log }) => {
  await page.setViewportSize({ width: 1200, height: 1400 });
  // The demo's own products and drawings in the tiles, for the screenshot.
  const catalogue = await (await page.request.get('/catalogue.json')).json();
  await mockBatch(page, (sub) => {
    if (sub.path != 'recommendations') return answers(sub);
    const tiles = recommendationsAnswer(4);
    (tiles.body as any).items.forEach((item: any, i: number) => {
      const product = catalogue.products[i + 1];
      item.title = product.title;
      item.image_url = new URL(`/images/${product.sku}.svg`, test.info().project.use.baseURL).href;
      item.price.amount_minor = product.price_minor;
    });
    return tiles;
  });
  await signIn(page);
  await page.goto('/dunkel');
  await expect(page.locator('.vitrine-recs__price')).toHaveCount(4);
  await expect(page.locator('.vitrine-availability__sentence')).not.toBeEmpty();
  await expect(page.locator('.vitrine-loyalty__balance')).not.toBeEmpty();
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(contrast(background, 'rgb(0, 0, 0)')).toBeLessThan(1.3);
  // Every widget's text, muted text and accent against the page: at least WCAG AA (4.5:1).
  for (const selector of [
    '.vitrine-recs__title', '.vitrine-recs__reason', '.vitrine-recs__price', '.vitrine-availability__sentence',
    '.vitrine-availability__address', '.vitrine-availability__origin', '.vitrine-availability__locate',
    '.vitrine-loyalty__balance', '.vitrine-loyalty__value', '.vitrine-loyalty__date', '.vitrine-loyalty__what',
  ]) {
    const { color } = await computed(page.locator(selector).first(), ['color']);
    expect(contrast(color, background), selector).toBeGreaterThanOrEqual(4.5);
  }
  // Text on its own fills: the add button and the tier badge on the accent, the field and the
  // stock badge on theirs.
  for (const selector of ['.vitrine-recs__add', '.vitrine-loyalty__tier', '.vitrine-availability__field', '.vitrine-availability__stock']) {
    const { color, 'background-color': fill } = await computed(page.locator(selector).first(), ['color', 'background-color']);
    expect(contrast(color, fill), selector).toBeGreaterThanOrEqual(4.5);
  }
  await page.screenshot({ path: test.info().outputPath('dunkel.png'), fullPage: true });
  expect(log.errors).toEqual([]);
});

test('the cart recovery dialog takes the dark theme from the page', async ({ page, log }) => {
  await page.setViewportSize({ width: 1000, height: 900 });
  await mockBatch(page, (sub) =>
    sub.path != 'cart-recovery'
      ? answers(sub)
      : {
          status: 200,
          body: {
            offer: {
              offer_id: 'offer-dark', cart_url: '/warenkorb', last_activity_at: 1_790_000_000,
              lines: [{ sku: 'AH-1001', title: 'Hardshelljacke Zugspitze, Herren', url: '/produkt/AH-1001', image_url: '/images/AH-1001.svg', quantity: 1, unit_price: { amount_minor: 24_900, currency: 'EUR' }, available: true }],
              total: { amount_minor: 24_900, currency: 'EUR' },
              coupon: { code: 'ABCD-EFGH', value: { amount_minor: 0, currency: 'EUR' }, percent: 10, points: 0, expires_at: 1_800_000_000 },
            },
          },
        },
  );
  await page.route('**/v1/cart-recovery/actions**', (route) => route.fulfill({ status: 204, headers: { 'access-control-allow-origin': '*' } }));
  await signIn(page);
  await page.goto('/dunkel');
  const dialog = page.locator('#vitrine-cart-recovery dialog');
  await expect(dialog).toBeVisible();
  const { 'background-color': fill } = await computed(dialog, ['background-color']);
  expect(fill).toBe('rgb(27, 32, 39)');
  for (const selector of ['.vitrine-cart__heading', '.vitrine-cart__title', '.vitrine-cart__total', '.vitrine-cart__copy']) {
    const { color } = await computed(dialog.locator(selector), ['color']);
    expect(contrast(color, fill), selector).toBeGreaterThanOrEqual(4.5);
  }
  const back = await computed(dialog.locator('.vitrine-cart__back'), ['color', 'background-color']);
  expect(contrast(back.color, back['background-color'])).toBeGreaterThanOrEqual(4.5);
  await page.screenshot({ path: test.info().outputPath('dunkel-dialog.png') });
  expect(log.errors).toEqual([]);
});
