// Cart recovery against the real server (the dialog itself is specified with a mocked API in
// cart-recovery-dialog.spec.ts): a dismissal keeps the dialog away on the customer's other
// device, the frequency cap (the demo's 3 shows a day), and the coupon is used once.
// The carts are reported by the shop's backend as having been filled two hours ago, so they
// are abandoned at once (the demo waits 30 minutes). The customers are this spec's own: any
// activity of theirs elsewhere (a till purchase in another spec) would make the carts fresh.
import type { APIRequestContext, Browser, Page } from '@playwright/test';
import { API, STOREFRONT } from '../../playwright.config';
import { CartRecoveryDialog, customerToken, expect, nextSubAnswer, onScriptTag, SECRET_KEY, test } from './fixtures';


/** The customer allowed personalisation on the shop's banner (the demo's own customers have). */
async function consented(request: APIRequestContext, customer: string) {
  const response = await request.post(`${API}/v1/consent?key=pk_demo_alpenhaus`, {
    headers: { origin: STOREFRONT, 'content-type': 'application/json' },
    data: { visitor_id: `v_e2e_${customer}`, customer_token: customerToken(customer), tracking: true, personalisation: true, source: 'banner' },
  });
  expect(response.ok()).toBe(true);
}

/** The shop's backend reports a cart filled two hours ago (add_to_cart with its time) by a
 * customer who allows personalisation. */
async function leftCart(request: APIRequestContext, customer: string, skus: string[]) {
  await consented(request, customer);
  const occurredAt = Math.floor(Date.now() / 1000) - 7200;
  const lines = skus.map((sku, n) => JSON.stringify({
    id: `e2e-cart-${customer}-${n}`, type: 'add_to_cart', customer_id: customer, sku, quantity: 1,
    occurred_at: occurredAt + n,
  }));
  const response = await request.post(`${API}/v1/events/bulk`, {
    headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/x-ndjson' },
    data: lines.join('\n'),
  });
  expect((await response.json()).stored).toBe(skus.length);
}

/**
 * Runs `navigation` and waits for the page's cart recovery answer (the signed-in customer's, in
 * the loader's batch); with an offer, also for the dialog to open and its `shown` report.
 * Whether there was an offer.
 */
async function settle(page: Page, navigation: () => Promise<unknown>): Promise<boolean> {
  const answer = nextSubAnswer(page, (read) => read.path == 'cart-recovery' && read.shared.has('customer_token'));
  const shown = page.waitForRequest((r) => r.url().includes('/v1/cart-recovery/actions') && (r.postData() ?? '').includes('"shown"'));
  shown.catch(() => {}); // never comes without an offer
  await navigation();
  const { status, body } = await answer;
  expect(status).toBe(200);
  const offered = 'offer' in (body as object);
  if (offered) {
    await shown;
    await expect(new CartRecoveryDialog(page).dialog).toBeVisible();
  } else {
    await page.waitForLoadState('load');
  }
  return offered;
}

/** A new device (browser context) on which the customer is signed in (the shop renders her
 * token on the script tag); whether the home page had an offer. */
async function device(browser: Browser, customer: string): Promise<{ page: Page; offered: boolean }> {
  const page = await (await browser.newContext()).newPage();
  await onScriptTag(page, { 'data-customer-token': customerToken(customer) });
  const offered = await settle(page, () => page.goto('/'));
  return { page, offered };
}

/** Opens the home page again; whether it had an offer. */
function visit(page: Page): Promise<boolean> {
  return settle(page, () => page.goto('/'));
}

test('a dismissed dialog stays away on her other device, and its coupon is used once', async ({ browser, request }) => {
  await leftCart(request, 'K-E2E-CART-1', ['AH-1005', 'AH-1012']);
  const laptop = await device(browser, 'K-E2E-CART-1');
  expect(laptop.offered).toBe(true);
  const dialog = new CartRecoveryDialog(laptop.page);
  await expect(dialog.titles).toHaveCount(2);
  const code = (await dialog.code.textContent())?.trim() ?? '';
  expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  const dismissed = laptop.page.waitForRequest((r) => r.url().includes('/v1/cart-recovery/actions') && (r.postData() ?? '').includes('"dismissed"'));
  await laptop.page.keyboard.press('Escape');
  await dismissed;
  await expect(dialog.dialog).toBeHidden();
  // Back on the laptop, and on her phone: the quiet period holds on every device.
  expect(await visit(laptop.page)).toBe(false);
  const phone = await device(browser, 'K-E2E-CART-1');
  expect(phone.offered).toBe(false);
  await expect(new CartRecoveryDialog(phone.page).dialog).toHaveCount(0);

  // At the checkout the coupon is used once; a second use is refused.
  const redeem = (order: string) => request.post(`${API}/v1/coupons/redeem`, {
    headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/json' },
    data: { code, order_id: order },
  });
  expect((await redeem('W-E2E-1')).status()).toBe(200);
  const second = await redeem('W-E2E-2');
  expect(second.status()).toBe(409);
  expect((await second.json()).error.code).toBe('coupon_redeemed');
});

test('the dialog is shown at most three times a day across her devices', async ({ browser, request }) => {
  await leftCart(request, 'K-E2E-CART-2', ['AH-1007']);
  // Shown on the laptop, on the phone, on the laptop again: the demo's three a day …
  const laptop = await device(browser, 'K-E2E-CART-2');
  expect(laptop.offered).toBe(true);
  const phone = await device(browser, 'K-E2E-CART-2');
  expect(phone.offered).toBe(true);
  expect(await visit(laptop.page)).toBe(true);
  // … and no more, on any device.
  expect(await visit(phone.page)).toBe(false);
  expect(await visit(laptop.page)).toBe(false);
  await expect(new CartRecoveryDialog(laptop.page).dialog).toHaveCount(0);
});
