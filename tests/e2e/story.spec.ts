// The omnichannel story of the demo across devices, clicked through as a visitor would (the
// guided tour on the home page of the storefront app): Anna signs in on her phone, puts a
// product into the cart and leaves; on her laptop the cart comes back as a dialog; at a store's
// till she buys it with her loyalty card; back on the web shop the recommendations no longer
// offer it, her account shows the store purchase's points with the store's name, and the cart
// dialog is gone. Each device opens the shop anew (page loads); spa.spec.ts tells the story on
// one device with client-side navigation only.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { API } from '../../playwright.config';
import { expect, LoyaltyWidget, nextSubAnswer, RecommendationsWidget, test } from './fixtures';

const SECRET_KEY = 'sk_demo_alpenhaus_not_for_production';

/** Uncaught errors of every page the story opens. */
const pageErrors: string[] = [];

async function signedIn(browser: Browser, customer: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto('/anmelden');
  await page.getByRole('button', { name: customer }).click();
  await expect(page.getByTestId('signed-in')).toHaveText(customer);
  // She opens the shop again later: the shop's backend renders her token on the script tag.
  await page.goto('/');
  return { context, page };
}

test('a cart left on the phone comes back on the laptop, until it is bought at a till', async ({ browser, request }) => {
  // The cart must lie idle before it counts as abandoned: the shop (with its secret key, as an
  // admin would) shortens the demo's 30 minutes to one, and the test waits that minute.
  test.setTimeout(150_000);
  const auth = { authorization: `Bearer ${SECRET_KEY}` };
  const rules = await (await request.get(`${API}/v1/cart-recovery/rules`, { headers: auth })).json();
  const updated = await request.put(`${API}/v1/cart-recovery/rules`, {
    headers: { ...auth, 'content-type': 'application/json' },
    data: { ...rules, idle_minutes: 1 },
  });
  expect(updated.ok()).toBe(true);

  // On her phone: signed in, her recommendations; she puts the first one into the cart.
  const phone = await signedIn(browser, 'Anna Berger');
  const recommendations = new RecommendationsWidget(phone.page);
  await expect(recommendations.tiles).toHaveCount(4);
  const [sku] = await recommendations.skus();
  await phone.page.goto(`/produkt/${sku}`);
  // The shop's own button (the recommended tiles have theirs, named "In den Warenkorb: <title>");
  // the app reports the cart change with Vitrine.track, which the loader sends as a beacon.
  const reported = phone.page.waitForResponse(
    (r) => r.url().includes('/v1/events?') && (r.request().postData() ?? '').includes('"add_to_cart"'),
  );
  await phone.page.getByRole('button', { name: 'In den Warenkorb', exact: true }).click();
  await expect(phone.page.locator('#add-to-cart-status')).toHaveText('Im Warenkorb.');
  expect((await reported).ok()).toBe(true);
  await phone.context.close();

  // A minute later, on her laptop: the cart she left on the phone, as a dialog.
  await new Promise((resolve) => setTimeout(resolve, 65_000));
  const laptop = await signedIn(browser, 'Anna Berger');
  const dialog = laptop.page.getByRole('dialog');
  await expect(dialog).toBeVisible({ timeout: 15_000 });
  await expect(dialog.locator(`[data-sku="${sku}"]`)).toHaveCount(1);

  // At the Ulm store's till she buys it with her loyalty card.
  const till = await browser.newContext();
  const pos = await till.newPage();
  await pos.goto('/kasse');
  await pos.getByLabel('Filiale').selectOption('ulm-muensterplatz');
  await pos.getByLabel('Kundenkarte').selectOption('2500-1001');
  await pos.getByLabel('Artikel').selectOption(sku);
  await pos.getByRole('button', { name: 'Artikel hinzufügen' }).click();
  await pos.getByRole('button', { name: 'Bon buchen' }).click();
  await expect(pos.locator('#till-result')).toContainText('Anna Berger hat jetzt');
  await till.close();

  // Back on the web shop: no dialog (the cart was bought), nothing she bought offered.
  const answer = nextSubAnswer(laptop.page, (read) => read.path == 'cart-recovery');
  const recommended = nextSubAnswer(laptop.page, (read) => read.path == 'recommendations');
  await laptop.page.goto('/');
  expect(await answer).toEqual({ status: 200, body: {} });
  // The page may first show its earlier view's tiles (kept for a repeat view); the API's answer
  // now does not offer what she bought, and that is what the page ends up showing.
  const fresh = ((await recommended).body as { items: { sku: string }[] }).items.map((item) => item.sku);
  expect(fresh).toHaveLength(4);
  expect(fresh).not.toContain(sku);
  const home = new RecommendationsWidget(laptop.page);
  await expect.poll(() => home.skus()).toEqual(fresh);
  expect(await home.skus()).not.toContain(sku);
  await expect(laptop.page.getByRole('dialog')).toHaveCount(0);

  // Her account: the store purchase's points, with the store's name.
  await laptop.page.goto('/konto');
  const loyalty = new LoyaltyWidget(laptop.page);
  await expect(loyalty.lines.first()).toContainText('Ulm');
  await expect(loyalty.lines.first()).toContainText('Punkte');
  await laptop.context.close();
  expect(pageErrors).toEqual([]);

  // The demo's own rules again for the tests after this one.
  await request.put(`${API}/v1/cart-recovery/rules`, {
    headers: { ...auth, 'content-type': 'application/json' },
    data: rules,
  });
});
