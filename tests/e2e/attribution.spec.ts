// Attribution closes the loop from the web to the store: a click on a recommendation in the
// web shop, then a purchase of that product at a store's till with the loyalty card, shows up
// in the shop's attribution report under the store channel. Real browser, real server.
import { API } from '../../playwright.config';
import { expect, test } from './fixtures';

const SECRET_KEY = 'sk_demo_alpenhaus_not_for_production';

/** The home context's row of the attribution report. */
async function homeRow(request: any) {
  const answer = await request.get(`${API}/v1/reports/attribution`, {
    headers: { authorization: `Bearer ${SECRET_KEY}` },
  });
  expect(answer.ok()).toBe(true);
  const report = await answer.json();
  const row = report.rows.find((r: any) => r.widget == 'recommendations' && r.context == 'home');
  const store = row.channels.find((c: any) => c.channel == 'store');
  const revenue = (store.attributed_revenue.find((m: any) => m.currency == 'EUR') ?? { amount_minor: 0 }).amount_minor;
  return { impressions: row.tile_impressions, clicks: row.clicks, storeOrders: store.attributed_orders, storeRevenue: revenue };
}

test('a recommendation clicked on the web and bought at a till is attributed to the store', async ({ page, request, log }) => {
  const before = await homeRow(request);

  // Lea signs in and looks at her home page: the tiles in view count as seen after a second.
  await page.goto('/anmelden');
  await page.getByRole('button', { name: 'Lea Wagner' }).click();
  await expect(page.getByTestId('signed-in')).toHaveText('Lea Wagner');
  await expect(page).toHaveURL(/\/$/);
  const tile = page.locator('[data-vitrine="recommendations"] li[data-sku]:not(.vitrine-recs__tile--skeleton)').first();
  await expect(tile).toBeVisible();
  const sku = (await tile.getAttribute('data-sku'))!;
  await expect.poll(async () => (await homeRow(request)).impressions, { timeout: 10_000 }).toBeGreaterThan(before.impressions);

  // She opens the product from the tile (the shop's router shows it without leaving the page).
  await tile.locator('a').click();
  await page.waitForURL(`**/produkt/${sku}`);
  await expect.poll(async () => (await homeRow(request)).clicks).toBe(before.clicks + 1);

  // Days later in Ulm she buys it at the till with her loyalty card.
  const catalogue = await (await request.get('/catalogue.json')).json();
  const price = catalogue.products.find((p: any) => p.sku == sku)?.price_minor
    ?? catalogue.products.flatMap((p: any) => p.variants ?? []).find((v: any) => v.sku == sku)?.price_minor;
  const receipt = await request.post('/api/kasse/bon', {
    data: { store_id: 'ulm-muensterplatz', card: '2500-1003', lines: [{ sku, quantity: 1 }] },
  });
  expect(receipt.ok()).toBe(true);

  const after = await homeRow(request);
  expect(after.storeOrders).toBe(before.storeOrders + 1);
  expect(after.storeRevenue - before.storeRevenue).toBe(price);
  expect(log.errors).toEqual([]);
});
