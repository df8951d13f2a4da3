// Loyalty points on the demo shop's account page (/konto): the invitation for guests, a
// signed-in customer's points after a purchase at a store's till, no layout shift, and silent
// failure. The shop's backend is played by this test as in personal.spec.ts: it signs the
// customer token with the demo shop's secret key and puts it on the script tag.
import type { APIRequestContext, Page } from '@playwright/test';
import { API, STOREFRONT } from '../../playwright.config';
import {
  apiReads, customerToken, errorAnswer, expect, LoyaltyWidget, onScriptTag, ownHeight, routeBatch, SECRET_KEY, test,
} from './fixtures';

const KEY = 'pk_demo_alpenhaus';

/** The page as the shop renders it for a signed-in customer: her token on the script tag. */
async function signIn(page: Page, token: string): Promise<void> {
  await onScriptTag(page, { 'data-customer-token': token });
}

/** A purchase at a store's till, reported by the shop's till export with the secret key. */
async function tillPurchase(request: APIRequestContext, customer: string, order: string, store: string, amountMinor: number) {
  const response = await request.post(`${API}/v1/events/bulk`, {
    headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/x-ndjson' },
    data: JSON.stringify({
      id: `e2e-${order}`, type: 'purchase', customer_id: customer, order_id: order, channel: 'store',
      store_id: store, currency: 'EUR', lines: [{ sku: 'AH-1003', quantity: 1, unit_price_minor: amountMinor }],
    }),
  });
  expect((await response.json()).stored).toBe(1);
}

/** The loyalty API's answer for `token`, asked as the storefront asks. */
async function account(request: APIRequestContext, token: string) {
  const response = await request.get(`${API}/v1/loyalty?${new URLSearchParams({ key: KEY, customer_token: token })}`, {
    headers: { origin: STOREFRONT },
  });
  expect(response.ok()).toBe(true);
  return response.json();
}

test('a guest is invited to join, with the programme\'s link', async ({ page, log }) => {
  const reads = apiReads(page);
  await page.goto('/konto');
  const widget = new LoyaltyWidget(page);
  await expect(widget.heading).toHaveText('Treuepunkte');
  await expect(widget.pitch).toHaveText(
    'Sammeln Sie bei jedem Einkauf Punkte, online und in jeder Filiale: 1 Punkt je 1,00\u00a0€.',
  );
  await expect(widget.join).toHaveAttribute('href', '/anmelden');
  await expect(widget.balance).toHaveCount(0);
  expect(await widget.loading()).toBe(false);
  // One request, made by the loader in its batch, with the page's currency and no token.
  const requests = reads.filter((read) => read.path == 'loyalty');
  expect(requests).toHaveLength(1);
  expect(requests[0].via).toBe('batch');
  expect(Object.fromEntries(requests[0].params)).toEqual({ currency: 'EUR', lines: '5' });
  expect([...requests[0].shared.keys()].sort()).toEqual(['key', 'visitor_id']);
  expect(requests[0].shared.get('key')).toBe(KEY);
  // Keyboard: the link is reachable and leads to the join page.
  await widget.join.focus();
  await expect(widget.join).toBeFocused();
  expect(log.errors).toEqual([]);
  expect(log.consoleErrors).toEqual([]);
  expect(log.warnings).toEqual([]);
});

test('a purchase at a store\'s till shows in the signed-in customer\'s points after a reload', async ({ page, request, log }) => {
  const customer = 'K-E2E-LOYALTY-1';
  const token = customerToken(customer);
  await signIn(page, token);
  await page.goto('/konto');
  const widget = new LoyaltyWidget(page);
  // Signed in but nothing bought yet: an account at the first tier, nothing in the ledger.
  await expect(widget.balance).toHaveText('0 Punkte');
  await expect(widget.tier).toHaveText('Bronze');
  await expect(widget.lines).toHaveText(['Noch keine Buchungen']);

  // She pays 1.249,00 € at the till in Ulm; the till export reports the receipt.
  await tillPurchase(request, customer, 'E2E-ULM-1', 'ulm-muensterplatz', 124_900);
  const expected = await account(request, token);
  expect(expected.status).toBe('member');
  expect(expected.balance).toBe(1249);
  expect(expected.lines[0]).toMatchObject({ kind: 'accrual', points: 1249, store_name: 'Ulm Münsterplatz' });

  await page.reload();
  const today = await page.evaluate(() => new Intl.DateTimeFormat('de-DE', { day: 'numeric', month: 'numeric' }).format(new Date()));
  await expect(widget.balance).toHaveText('1.249 Punkte');
  expect(await widget.ledger()).toEqual([`+1.249 Punkte · Einkauf in Filiale Ulm Münsterplatz · ${today}`]);
  await expect(widget.value).toContainText('Wert: 12,49\u00a0€');
  await expect(widget.tier).toHaveText(expected.tier.name);
  // The bar to the next tier, for screen readers too: named by the text under it.
  const next = expected.next_tier;
  const now = next.threshold - next.points_needed;
  const de = (n: number) => new Intl.NumberFormat('de-DE').format(n);
  await expect(widget.next).toHaveText(`Noch ${de(next.points_needed)} Punkte bis ${next.name}`);
  await expect(widget.progress).toHaveAttribute('aria-valuemin', '0');
  await expect(widget.progress).toHaveAttribute('aria-valuemax', String(next.threshold));
  await expect(widget.progress).toHaveAttribute('aria-valuenow', String(now));
  await expect(widget.progress).toHaveAttribute('aria-valuetext', `${de(now)} von ${de(next.threshold)} Punkten für ${next.name}`);
  await expect(widget.host.getByRole('progressbar', { name: `Noch ${de(next.points_needed)} Punkte bis ${next.name}` })).toBeVisible();
  expect(log.errors).toEqual([]);
  expect(log.consoleErrors).toEqual([]);
  expect(log.warnings).toEqual([]);
});

for (const signedIn of [false, true]) {
  test(`the skeleton reserves the final size, so the account page does not shift (${signedIn ? 'member' : 'guest'})`, async ({ page, request }) => {
    await page.setViewportSize({ width: 1200, height: 900 });
    if (signedIn) {
      const customer = 'K-E2E-LOYALTY-2';
      await tillPurchase(request, customer, 'E2E-STUTTGART-1', 'stuttgart-mitte', 5_990);
      await signIn(page, customerToken(customer));
    }
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await routeBatch(page, { loyalty: { after: held } });
    await page.goto('/konto');
    const widget = new LoyaltyWidget(page);
    await expect(widget.section).toHaveAttribute('aria-busy', 'true');
    const footer = page.locator('footer');
    const loading = { widget: await widget.host.boundingBox(), footer: await footer.boundingBox() };
    expect(loading.widget!.height).toBeGreaterThan(100);
    release();
    await expect(widget.section).toHaveAttribute('aria-busy', 'false');
    await expect(signedIn ? widget.balance : widget.pitch).not.toBeEmpty();
    const loaded = { widget: await widget.host.boundingBox(), footer: await footer.boundingBox() };
    expect(loaded).toEqual(loading);
  });
}

for (const [name, status, code] of [
  ['answering 500', 500, 'internal'],
  ['saying the shop has no programme', 404, 'no_loyalty_program'],
] as const) {
  test(`with the loyalty API ${name}, the widget collapses and the page works`, async ({ page, log }) => {
    await routeBatch(page, { loyalty: errorAnswer(status, code) });
    await page.goto('/konto');
    const warnings = () => log.warnings.filter((w) => w.includes('[vitrine] loyalty points unavailable'));
    await expect.poll(() => warnings().length).toBe(1);
    const widget = new LoyaltyWidget(page);
    await expect(widget.section).toHaveCount(0);
    expect(await ownHeight(widget.host)).toBe(0);
    await expect(page.getByRole('heading', { name: 'Mein Konto' })).toBeVisible();
    expect(log.warnings).toHaveLength(1);
    expect(log.errors).toEqual([]);
    expect(log.consoleErrors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
}
