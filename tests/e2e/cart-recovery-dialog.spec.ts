// The cart recovery dialog in the browser, its API answered by page.route with fixtures (the
// server's side has its own tests): when it opens, how it behaves as a modal dialog, what it
// reports, and that it stays away when there is nothing to show or the API fails.
import AxeBuilder from '@axe-core/playwright';
import type { Page, Request, Route } from '@playwright/test';
import { CartRecoveryDialog, customerToken, errorAnswer, expect, onScriptTag, routeBatch, test } from './fixtures';


const OFFER = {
  offer: {
    offer_id: 'offer-e2e-1',
    lines: [
      {
        sku: 'AH-1001',
        title: 'Wanderjacke Alpin',
        url: '/produkt/AH-1001',
        image_url: '/images/AH-1001.svg',
        quantity: 1,
        unit_price: { amount_minor: 12900, currency: 'EUR' },
        available: true,
      },
      {
        sku: 'AH-2002',
        title: 'Trinkflasche',
        url: '/produkt/AH-2002',
        image_url: '/images/AH-1002.svg',
        quantity: 2,
        unit_price: { amount_minor: 1450, currency: 'EUR' },
        available: true,
      },
    ],
    total: { amount_minor: 15800, currency: 'EUR' },
    coupon: {
      code: 'ABCD-EFGH-JKMN-PQRS',
      value: { amount_minor: 0, currency: 'EUR' },
      percent: 10,
      points: 0,
      expires_at: 1_800_000_000,
    },
    pickup: {
      store_id: 'ulm-muensterplatz',
      name: 'Alpenhaus Ulm Münsterplatz',
      city: 'Ulm',
      distance_km: 1.2,
      ready_at: '2030-11-25T11:30:00+01:00',
    },
    cart_url: '/warenkorb',
    last_activity_at: 1_790_000_000,
  },
};

const CORS = { 'access-control-allow-origin': '*' };

/** What the page posted to /v1/cart-recovery/actions. */
type Action = { customer_token?: string; visitor_id?: string; offer_id: string; action: string };

/**
 * A signed-in page whose cart recovery answer (in the loader's batch; the page's other
 * sub-requests are answered by the API) is `answer` (a body, or an HTTP status for a failure);
 * the actions the page posts are collected. `before` runs in the page first.
 */
async function signedIn(page: Page, answer: object | number, before?: () => void) {
  const actions: Action[] = [];
  let asked = 0;
  await routeBatch(page, {
    'cart-recovery': () => {
      asked += 1;
      if (typeof answer === 'number') return errorAnswer(answer, answer === 404 ? 'no_cart_recovery' : 'internal');
      return { status: 200, body: answer };
    },
  });
  await page.route(
    (url) => url.pathname === '/v1/cart-recovery/actions',
    async (route: Route, request: Request) => {
      actions.push(JSON.parse(request.postData() ?? '{}'));
      await route.fulfill({ status: 204, headers: CORS });
    },
  );
  const token = customerToken('K-E2E-RECOVERY');
  await onScriptTag(page, { 'data-customer-token': token });
  if (before) await page.addInitScript(before);
  return { actions, asked: () => asked, token };
}

test('the dialog opens after the page has loaded and painted, with the offer in German', async ({ page, log }) => {
  await signedIn(page, OFFER, () => {
    const w = window as unknown as Record<string, unknown>;
    addEventListener('load', () => (w.loadedAt = performance.now()));
    new MutationObserver(() => {
      if (!w.openedAt && document.getElementById('vitrine-cart-recovery')) w.openedAt = performance.now();
    }).observe(document, { childList: true, subtree: true });
  });
  // On the plain page: its content is painted as it loads. (The storefront app paints when its
  // own wasm has run, which the page's load event does not wait for.)
  await page.goto('/plain.html');
  const dialog = new CartRecoveryDialog(page);
  await expect(dialog.dialog).toBeVisible();
  const { loadedAt, openedAt, paintedAt } = await page.evaluate(() => {
    const w = window as unknown as Record<string, number>;
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return { loadedAt: w.loadedAt, openedAt: w.openedAt, paintedAt: paint ? paint.startTime : 0 };
  });
  expect(loadedAt).toBeGreaterThan(0);
  expect(openedAt).toBeGreaterThanOrEqual(loadedAt);
  expect(openedAt).toBeGreaterThan(paintedAt);

  await expect(dialog.dialog).toHaveAttribute('aria-modal', 'true');
  await expect(dialog.heading).toHaveText('Ihr Warenkorb wartet auf Sie');
  await expect(page.getByRole('dialog', { name: 'Ihr Warenkorb wartet auf Sie' })).toBeVisible();
  await expect(dialog.titles).toHaveText(['Wanderjacke Alpin', 'Trinkflasche']);
  await expect(dialog.dialog.locator('[data-sku="AH-2002"] .vitrine-cart__title')).toHaveText('Trinkflasche');
  await expect(dialog.prices).toHaveText(['1 × 129,00 €', '2 × 14,50 €']);
  await expect(dialog.total).toHaveText('Summe: 158,00 €');
  await expect(dialog.code).toHaveText('ABCD-EFGH-JKMN-PQRS');
  await expect(dialog.pickup).toHaveText('25.11. ab 11:30 abholbereit in Alpenhaus Ulm Münsterplatz (1,2 km)');
  await expect(dialog.back).toHaveAttribute('href', '/warenkorb');
  expect(log.errors).toEqual([]);
  expect(log.consoleErrors).toEqual([]);
  expect(log.warnings).toEqual([]);
});

test('focus moves into the dialog and Tab and Shift+Tab cycle inside it', async ({ page }) => {
  await signedIn(page, OFFER);
  await page.goto('/');
  const dialog = new CartRecoveryDialog(page);
  await expect(dialog.close).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.copy).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.back).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.close).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.back).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.copy).toBeFocused();
});

test('Esc closes the dialog, focus returns, the page scrolls again and the dismissal is reported', async ({ page }) => {
  // On the plain page, whose links are there when it has been parsed (the storefront app draws
  // its own later, racing the dialog).
  const { actions, token } = await signedIn(page, OFFER, () => {
    // The shop's own page style, to be restored exactly; a link focused before the dialog.
    document.addEventListener('DOMContentLoaded', () => {
      document.documentElement.style.overflow = 'auto';
      document.querySelector<HTMLElement>('footer a[href="/"]')?.focus();
    });
  });
  await page.goto('/plain.html');
  const dialog = new CartRecoveryDialog(page);
  await expect(dialog.close).toBeFocused();
  expect(await page.evaluate(() => document.documentElement.style.overflow)).toBe('hidden');
  await expect.poll(() => actions.map((a) => a.action)).toEqual(['shown']);
  // Reported for the customer, and for this browser's visitor id (consent is the default).
  const visitor = await page.evaluate(() => localStorage.getItem('vitrine:visitor'));
  expect(visitor).toMatch(/^[0-9a-f]{32}$/);
  expect(actions[0]).toEqual({ customer_token: token, visitor_id: visitor, offer_id: 'offer-e2e-1', action: 'shown' });

  await page.keyboard.press('Escape');
  await expect(dialog.host).toHaveCount(0);
  await expect(page.locator('footer a[href="/"]')).toBeFocused();
  expect(await page.evaluate(() => document.documentElement.style.overflow)).toBe('auto');
  await expect.poll(() => actions.map((a) => a.action)).toEqual(['shown', 'dismissed']);
  expect(actions[1].offer_id).toBe('offer-e2e-1');
});

test('a click on the backdrop or the close button closes the dialog as dismissed', async ({ page }) => {
  for (const how of ['backdrop', 'button']) {
    const { actions } = await signedIn(page, OFFER);
    await page.goto('/');
    const dialog = new CartRecoveryDialog(page);
    await expect(dialog.dialog).toBeVisible();
    if (how === 'backdrop') await page.mouse.click(5, 5);
    else await dialog.close.click();
    await expect(dialog.host).toHaveCount(0);
    await expect.poll(() => actions.map((a) => a.action)).toEqual(['shown', 'dismissed']);
    expect(await page.evaluate(() => document.documentElement.style.overflow)).toBe('');
    await page.unrouteAll({ behavior: 'wait' });
  }
});

test('a click inside the dialog does not close it', async ({ page }) => {
  await signedIn(page, OFFER);
  await page.goto('/');
  const dialog = new CartRecoveryDialog(page);
  await dialog.total.click();
  await dialog.heading.click();
  await expect(dialog.dialog).toBeVisible();
});

test('"back to cart" reports a click (not a dismissal) and leads to the cart', async ({ page }) => {
  const { actions } = await signedIn(page, OFFER);
  await page.goto('/');
  const dialog = new CartRecoveryDialog(page);
  await dialog.back.click();
  // The shop's router shows its cart without a page load; the dialog is gone.
  await page.waitForURL('**/warenkorb');
  await expect(page.getByRole('heading', { name: 'Warenkorb', level: 1 })).toBeVisible();
  await expect(dialog.host).toHaveCount(0);
  await expect.poll(() => actions.map((a) => a.action)).toEqual(['shown', 'clicked']);
  expect(actions[1].offer_id).toBe('offer-e2e-1');
  // The cart page's widgets were asked for through the test's route: let it finish.
  await page.unrouteAll({ behavior: 'wait' });
});

test('the coupon code is copied and the copy is announced', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signedIn(page, OFFER);
  await page.goto('/');
  const dialog = new CartRecoveryDialog(page);
  await dialog.copy.click();
  await expect(dialog.copy).toHaveText('Code kopiert');
  await expect(dialog.live).toHaveText('Code kopiert');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('ABCD-EFGH-JKMN-PQRS');
});

test('the dialog animates in, except under prefers-reduced-motion', async ({ page }) => {
  await signedIn(page, OFFER);
  await page.goto('/');
  const dialog = new CartRecoveryDialog(page);
  await expect(dialog.dialog).toBeVisible();
  expect(await dialog.dialog.evaluate((d) => getComputedStyle(d).animationName)).toBe('vitrine-cart-in');

  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto('/');
  await expect(dialog.dialog).toBeVisible();
  expect(await dialog.dialog.evaluate((d) => getComputedStyle(d).animationName)).toBe('none');
});

test('the open dialog has no axe-core violations', async ({ page }) => {
  await signedIn(page, OFFER);
  await page.goto('/');
  const dialog = new CartRecoveryDialog(page);
  await expect(dialog.dialog).toBeVisible();
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300))); // the open animation
  const results = await new AxeBuilder({ page }).include('#vitrine-cart-recovery').analyze();
  expect(results.violations).toEqual([]);
  expect(results.passes.length).toBeGreaterThan(0);
});

test('without an offer, or in a shop without cart recovery, nothing opens, is reported or logged', async ({ page, log }) => {
  for (const answer of [{}, 404]) {
    const { actions, asked } = await signedIn(page, answer);
    await page.goto('/');
    await page.waitForLoadState('load');
    await expect.poll(asked).toBe(1);
    await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
    await expect(new CartRecoveryDialog(page).host).toHaveCount(0);
    expect(actions).toEqual([]);
    expect(log.warnings).toEqual([]);
    expect(log.errors).toEqual([]);
    await page.unrouteAll();
  }
});

test('a page without a signed-in customer or personalisation consent does not ask', async ({ page }) => {
  let asked = 0;
  const batches = await routeBatch(page, { 'cart-recovery': () => ((asked += 1), { status: 200, body: OFFER }) });
  // The shop asks for consent first (data-consent="opt-in") and the shopper has not given it.
  await onScriptTag(page, { 'data-consent': 'opt-in' });
  const single: string[] = [];
  page.on('request', (r) => new URL(r.url()).pathname === '/v1/cart-recovery' && single.push(r.url()));
  await page.goto('/');
  await page.waitForLoadState('load');
  // The page's widgets were asked for, in a batch without the cart recovery check.
  await expect.poll(() => batches.length).toBeGreaterThan(0);
  await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
  expect(batches.flat().map((sub) => sub.path)).not.toContain('cart-recovery');
  expect(asked).toBe(0);
  expect(single).toEqual([]);
  await expect(new CartRecoveryDialog(page).host).toHaveCount(0);
});

test('when the API fails nothing opens, with one warning and no page error', async ({ page, log }) => {
  for (const answer of [500, { offer: { offer_id: 7 } }]) {
    log.warnings.length = 0;
    log.consoleErrors.length = 0;
    await signedIn(page, answer);
    await page.goto('/');
    await page.waitForLoadState('load');
    await expect.poll(() => log.warnings.filter((w) => w.includes('cart recovery')).length).toBe(1);
    await expect(new CartRecoveryDialog(page).host).toHaveCount(0);
    expect(log.errors).toEqual([]);
    expect(log.consoleErrors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
    await page.unrouteAll({ behavior: 'wait' });
  }
});
