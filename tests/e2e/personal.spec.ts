// Omnichannel in the browser: a customer who bought something at a till is not offered it on
// the web shop, and the widget says which store her recommendations come from. The shop's
// backend is played by this test: it signs the customer token with the demo shop's secret key
// (which never reaches the browser) and puts it on the script tag.
import { createHmac } from 'node:crypto';
import { API, STOREFRONT } from '../../playwright.config';
import { expect, RecommendationsWidget, test } from './fixtures';

const PUBLISHABLE_KEY = 'pk_demo_alpenhaus';
const SECRET_KEY = 'sk_demo_alpenhaus_not_for_production';
const CUSTOMER = 'K-E2E-1';

function customerToken(customer: string): string {
  const expiry = Math.floor(Date.now() / 1000) + 600;
  const mac = createHmac('sha256', SECRET_KEY).update(`${customer}.${expiry}`).digest('hex');
  return `${customer}.${expiry}.${mac}`;
}

test('a till purchase is not offered on the web and names the store as the reason', async ({ page, request, log }) => {
  const token = customerToken(CUSTOMER);
  // She allowed personalisation on the shop's banner.
  const consent = await request.post(`${API}/v1/consent?key=${PUBLISHABLE_KEY}`, {
    headers: { origin: STOREFRONT, 'content-type': 'application/json' },
    data: { visitor_id: 'v_e2e_personal_000001', customer_token: token, tracking: true, personalisation: true, source: 'banner' },
  });
  expect(consent.ok()).toBe(true);

  // The shop's best seller, as anyone sees it.
  await page.goto('/');
  const widget = new RecommendationsWidget(page);
  await expect(widget.tiles).toHaveCount(4);
  const [bestSeller] = await widget.skus();

  // She buys it in the Ulm store; the till reports the receipt with her customer id.
  const till = await request.post(`${API}/v1/events/bulk`, {
    headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/x-ndjson' },
    data: JSON.stringify({
      id: 'e2e-till-1', type: 'purchase', customer_id: CUSTOMER, order_id: 'E2E-R-1', channel: 'store',
      store_id: 'ulm-muensterplatz', currency: 'EUR', lines: [{ sku: bestSeller, quantity: 1, unit_price_minor: 4990 }],
    }),
  });
  expect((await till.json()).stored).toBe(1);

  // Back on the web shop, signed in: the shop's backend renders her token on the script tag.
  // (Playwright sets the attribute as the tag is parsed: rewriting the page with page.route
  // would make Chromium treat it as a public page and block its requests to loopback.)
  await page.addInitScript((token) => {
    new MutationObserver((_, observer) => {
      const tag = document.querySelector('script[data-key]');
      if (tag) {
        tag.setAttribute('data-customer-token', token);
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  }, token);
  await page.goto('/');
  await expect(widget.tiles).toHaveCount(4);
  expect(await widget.skus()).not.toContain(bestSeller);
  await expect(widget.host.locator('.vitrine-recs__reason', { hasText: /^Weil Sie in .*Ulm.* gekauft haben$/ }).first()).toBeVisible();
  expect(log.errors).toEqual([]);
  expect(log.consoleErrors).toEqual([]);
});
