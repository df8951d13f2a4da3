// The storefront as a single-page shop (Leptos, leptos_router): the hardest host for embedded
// widgets, because every route change adds and removes placeholders. The story is clicked
// through on one page load with client-side navigation only; then fifty route changes leave
// exactly one drawn widget per placeholder on screen, no console error and no axe violation.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { API, STOREFRONT } from '../../playwright.config';
import {
  apiReads, AvailabilityWidget, customerToken, expect, LoyaltyWidget, RecommendationsWidget, SECRET_KEY, test,
} from './fixtures';

/** Follows a link of the shop's header or page: the router navigates without a page load. */
async function follow(page: Page, name: string | RegExp, where = page.locator('body')): Promise<void> {
  await where.getByRole('link', { name, exact: typeof name == 'string' }).first().click();
}

/** Counts the page loads of the storefront (client-side navigation makes none). */
function pageLoads(page: Page): () => number {
  let loads = 0;
  page.on('load', () => (loads += 1));
  return () => loads;
}

test('the omnichannel story in the single-page shop, with client-side navigation only', async ({ page, request, log }) => {
  // The cart must lie idle before it counts as abandoned: the shop (with its secret key, as an
  // admin would) shortens the demo's 30 minutes to one, and the test waits that minute below.
  test.setTimeout(150_000);
  const auth = { authorization: `Bearer ${SECRET_KEY}` };
  const rules = await (await request.get(`${API}/v1/cart-recovery/rules`, { headers: auth })).json();
  expect((await request.put(`${API}/v1/cart-recovery/rules`, { headers: auth, data: { ...rules, idle_minutes: 1 } })).ok()).toBe(true);
  await page.setViewportSize({ width: 1280, height: 1200 });
  const loads = pageLoads(page);
  const reads = apiReads(page);

  // Home: popular products for a guest. The demo shop asks before it tracks (opt-in): she
  // allows it on the shop's consent control, which tells Vitrine (Vitrine.setConsent).
  await page.goto('/');
  const consent = page.getByRole('button', { name: 'Personalisierung erlauben' });
  await consent.click();
  await expect(consent).toHaveAttribute('aria-pressed', 'true');
  const recommendations = new RecommendationsWidget(page);
  // The control is in the footer; back up to the row (widgets load as they come near the view).
  await recommendations.host.scrollIntoViewIfNeeded();
  await expect(recommendations.tiles).toHaveCount(4);
  await expect(recommendations.host.locator('.vitrine-recs__heading')).toHaveText('Beliebt bei unseren Kundinnen und Kunden');

  // A product from the catalogue: bought-together tiles and where it can be picked up.
  await page.locator('#catalogue a[href="/produkt/AH-1002"]').click();
  await expect(page).toHaveURL(`${STOREFRONT}/produkt/AH-1002`);
  await expect(page.locator('#product-title')).toHaveText(/\S/);
  await expect(recommendations.host.locator('.vitrine-recs__heading')).toHaveText('Das könnte Ihnen auch gefallen');
  await expect(recommendations.tiles).toHaveCount(4);
  expect(await recommendations.skus()).not.toContain('AH-1002');
  const availability = new AvailabilityWidget(page);
  await expect(availability.sentence).not.toBeEmpty();

  // A size: the placeholder's data-sku changes and the widget asks for that size.
  await page.getByLabel('Größe').selectOption('M');
  await expect(availability.host).toHaveAttribute('data-sku', 'AH-1002-M');
  await expect.poll(() => reads.some((r) => r.path == 'availability' && r.params.get('sku') == 'AH-1002-M')).toBe(true);
  await expect(availability.sentence).not.toBeEmpty();

  // Into the cart: the header counts it, and the app tells Vitrine (Vitrine.track).
  const tracked = page.waitForResponse(
    (r) => r.url().includes('/v1/events?') && (r.request().postData() ?? '').includes('"add_to_cart"'),
  );
  await page.getByRole('button', { name: 'In den Warenkorb', exact: true }).click();
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  expect((await tracked).ok()).toBe(true);

  // The cart: its line, and recommendations for the cart that leave out what is in it.
  await follow(page, /^Warenkorb/, page.locator('header'));
  await expect(page).toHaveURL(`${STOREFRONT}/warenkorb`);
  await expect(page.locator('#cart-lines li')).toHaveCount(1);
  await expect(page.locator('#cart-lines li').first()).toContainText('(M)');
  const cartRecommendations = page.locator('[data-vitrine="recommendations"][data-context="cart"]');
  await expect(cartRecommendations).toHaveAttribute('data-cart', 'AH-1002-M');
  await expect(recommendations.tiles).toHaveCount(4);
  expect(reads.some((r) => r.path == 'recommendations' && r.params.get('context') == 'cart' && r.params.get('cart') == 'AH-1002-M')).toBe(true);

  // Signing in: the backend answers her token, the app calls Vitrine.identify, and the widgets
  // are hers: personal recommendations at home, her points in her account.
  await follow(page, 'Anmelden', page.locator('header'));
  await page.getByRole('button', { name: 'Anna Berger' }).click();
  await expect(page.getByTestId('signed-in')).toHaveText('Anna Berger');
  await expect(page).toHaveURL(`${STOREFRONT}/`);
  await expect(recommendations.host.locator('.vitrine-recs__heading')).toHaveText('Für Sie ausgewählt');
  await expect(recommendations.tiles).toHaveCount(4);
  const token = reads.findLast((r) => r.shared.has('customer_token'))?.shared.get('customer_token');
  expect(token).toMatch(/^K-1001\.\d+\.[0-9a-f]{64}$/);
  await follow(page, 'Mein Konto', page.locator('header'));
  const loyalty = new LoyaltyWidget(page);
  await expect(loyalty.balance).not.toBeEmpty();
  const pointsBefore = await loyalty.balance.textContent();

  // Her cart, left idle, is now one the cart recovery would bring back (the API's answer to
  // her token, as the loader asks it on her next visit).
  const recovery = async () => {
    const answer = await request.get(`${API}/v1/cart-recovery?key=pk_demo_alpenhaus&customer_token=${token}`, { headers: { origin: STOREFRONT } });
    expect(answer.ok()).toBe(true);
    return answer.json();
  };
  await new Promise((resolve) => setTimeout(resolve, 65_000));
  const offered = await recovery();
  expect(offered.offer.lines.map((line: { sku: string }) => line.sku)).toEqual(['AH-1002-M']);

  // At the till of the Ulm store she buys it with her loyalty card.
  await follow(page, 'Kasse', page.locator('header'));
  await page.getByLabel('Filiale').selectOption('ulm-muensterplatz');
  await page.getByLabel('Kundenkarte').selectOption('2500-1001');
  await page.getByLabel('Artikel').selectOption('AH-1002-M');
  await page.getByRole('button', { name: 'Artikel hinzufügen' }).click();
  await page.getByRole('button', { name: 'Bon buchen' }).click();
  await expect(page.locator('#till-result')).toContainText('Anna Berger hat jetzt');

  // Back in the shop: the store purchase's points with the store's name, "because you bought
  // in store …" on her tiles, and no cart recovery (what was in the cart was bought).
  await follow(page, 'Mein Konto', page.locator('header'));
  await expect(loyalty.lines.first()).toContainText('Ulm');
  await expect(loyalty.balance).not.toHaveText(pointsBefore!);
  await follow(page, 'Alpenhaus', page.locator('header'));
  await expect(recommendations.tiles).toHaveCount(4);
  // (Which of her store purchases a tile names is the recommender's choice: Anna has many.)
  await expect(recommendations.host.locator('.vitrine-recs__reason', { hasText: /^Weil Sie in .+ gekauft haben$/ }).first()).toBeVisible();
  expect(await recommendations.skus()).not.toContain('AH-1002-M');
  expect(await recovery()).toEqual({});
  await expect(page.getByRole('dialog')).toHaveCount(0);

  expect(loads()).toBe(1);
  expect(log.errors).toEqual([]);
  expect(log.consoleErrors).toEqual([]);
  await request.put(`${API}/v1/cart-recovery/rules`, { headers: auth, data: rules });
});

/** The app's routes as its header and pages link them, each with the placeholders it shows. */
const ROUTES: { name: string | RegExp; where: 'header' | 'main'; path: string; placeholders: number }[] = [
  { name: 'Alpenhaus', where: 'header', path: '/', placeholders: 1 },
  { name: /^Warenkorb/, where: 'header', path: '/warenkorb', placeholders: 1 },
  { name: 'Mein Konto', where: 'header', path: '/konto', placeholders: 1 },
  { name: 'Kasse', where: 'header', path: '/kasse', placeholders: 0 },
  { name: 'Dunkel', where: 'header', path: '/dunkel', placeholders: 3 },
  { name: 'Anmelden', where: 'header', path: '/anmelden', placeholders: 0 },
];

/**
 * The placeholders on the page; those whose shadow root holds exactly one drawn widget (one
 * element with content); those with a shadow root at all; and elements a widget put into the
 * page's own DOM instead of its shadow root (there must be none).
 */
function widgetCount(page: Page): Promise<{ placeholders: number; drawn: number; roots: number; lightChildren: number }> {
  return page.evaluate(() => {
    const all = [...document.querySelectorAll<HTMLElement>('[data-vitrine]')];
    const drawn = (el: HTMLElement) =>
      el.shadowRoot != null && el.shadowRoot.children.length == 1 && el.shadowRoot.children[0].childElementCount > 0;
    return {
      placeholders: all.length,
      drawn: all.filter(drawn).length,
      roots: all.filter((el) => el.shadowRoot).length,
      lightChildren: all.reduce((sum, el) => sum + el.children.length, 0),
    };
  });
}

test('fifty route changes leave one widget per placeholder on screen, no console error, no axe violation', async ({ page, log }) => {
  test.setTimeout(120_000);
  // Tall enough that every placeholder of a route is within the loader's 400 px of the view.
  await page.setViewportSize({ width: 1280, height: 2400 });
  const loads = pageLoads(page);
  await page.goto('/');
  const axeSeen = new Set<string>();
  const products = ['AH-1001', 'AH-1004', 'AH-1020', 'AH-1002'];
  for (let change = 0; change < 50; change += 1) {
    // Every fifth change opens a product from the home page's catalogue; the others follow the
    // header's links round the routes.
    let path: string;
    let placeholders: number;
    if (change % 5 == 4) {
      await follow(page, 'Alpenhaus', page.locator('header'));
      const sku = products[(change / 5) % products.length | 0];
      await page.locator(`#catalogue a[href="/produkt/${sku}"]`).click();
      [path, placeholders] = [`/produkt/${sku}`, 2];
    } else {
      const route = ROUTES[change % ROUTES.length];
      await follow(page, route.name, page.locator(route.where));
      [path, placeholders] = [route.path, route.placeholders];
    }
    await expect(page).toHaveURL(STOREFRONT + path);
    await expect(page.locator('[data-vitrine]')).toHaveCount(placeholders);
    // Each placeholder on screen is drawn once; none has two roots or widgets in the page's DOM.
    await expect.poll(() => widgetCount(page)).toEqual({ placeholders, drawn: placeholders, roots: placeholders, lightChildren: 0 });
    const route = path.startsWith('/produkt/') ? '/produkt/:sku' : path;
    if (!axeSeen.has(route)) {
      axeSeen.add(route);
      const { violations } = await new AxeBuilder({ page }).analyze();
      expect(violations.map((v) => `${route}: ${v.id} (${v.nodes.map((n) => n.target).join(', ')})`)).toEqual([]);
    }
  }
  expect(axeSeen.size).toBe(ROUTES.length + 1);
  // At most one cart recovery dialog host, and the whole walk was one page load.
  expect(await page.locator('#vitrine-cart-recovery').count()).toBeLessThanOrEqual(1);
  expect(loads()).toBe(1);
  expect(log.errors).toEqual([]);
  expect(log.consoleErrors).toEqual([]);
});

test('every route of the app works after a reload (the server answers the app for it)', async ({ page, log }) => {
  for (const path of ['/', '/produkt/AH-1001', '/produkt/AH-1001-M', '/warenkorb', '/konto', '/anmelden', '/kasse', '/dunkel']) {
    const response = await page.goto(path);
    expect(response!.status(), path).toBe(200);
    expect(response!.headers()['content-type']).toContain('text/html');
    await expect(page.locator('main h1'), path).toHaveCount(1);
    await page.reload();
    await expect(page.locator('main h1'), path).toHaveCount(1);
  }
  await page.goto('/produkt/AH-1001-M');
  await expect(page.getByLabel('Größe')).toHaveValue('AH-1001-M');
  await expect(page.locator('[data-vitrine="availability"]')).toHaveAttribute('data-sku', 'AH-1001-M');
  await page.goto('/gibt-es-nicht');
  await expect(page.getByRole('heading', { name: 'Seite nicht gefunden' })).toBeVisible();
  expect(log.errors).toEqual([]);
  expect(log.consoleErrors).toEqual([]);
});

test('the plain page embeds all four widgets with no framework and no script of its own', async ({ page, request, log }) => {
  const html = await (await request.get('/plain.html')).text();
  expect(html.match(/<script/g)).toHaveLength(1);
  await page.goto('/plain.html');
  await expect(new RecommendationsWidget(page).tiles).toHaveCount(4);
  await expect(new AvailabilityWidget(page).sentence).not.toBeEmpty();
  await expect(new LoyaltyWidget(page).join).toBeVisible();
  expect(log.errors).toEqual([]);
  expect(log.consoleErrors).toEqual([]);
});

test('the secret key never reaches the browser', async ({ page, request }) => {
  const token = customerToken('K-1001');
  expect(token).toBeTruthy();
  const served: string[] = [];
  page.on('response', async (response) => {
    if (response.url().startsWith(STOREFRONT)) served.push(await response.text().catch(() => ''));
  });
  await page.goto('/anmelden');
  await page.getByRole('button', { name: 'Jonas Huber' }).click();
  await expect(page.getByTestId('signed-in')).toHaveText('Jonas Huber');
  await page.goto('/konto');
  await expect(new LoyaltyWidget(page).balance).not.toBeEmpty();
  for (const body of served) expect(body).not.toContain(SECRET_KEY);
  expect((await (await request.get('/konto')).text())).not.toContain('sk_');
});

test('the till books a receipt with a loyalty card, then its return takes the points back', async ({ page, request, log }) => {
  const balance = async (): Promise<number> => {
    const answer = await request.get(`${API}/v1/loyalty/account?customer_id=K-1002`, { headers: { authorization: `Bearer ${SECRET_KEY}` } });
    expect(answer.ok()).toBe(true);
    return (await answer.json()).balance;
  };
  const before = await balance();
  await page.goto('/kasse');
  await page.getByLabel('Filiale').selectOption('ulm-muensterplatz');
  await page.getByLabel('Kundenkarte').selectOption('2500-1002');
  await page.getByLabel('Artikel').selectOption('AH-1003');
  await page.getByRole('button', { name: 'Artikel hinzufügen' }).click();
  await expect(page.getByRole('list', { name: 'Bon' }).getByRole('listitem')).toHaveCount(1);
  await page.getByRole('button', { name: 'Bon buchen' }).click();
  await expect(page.locator('#till-result')).toContainText('Jonas Huber hat jetzt');
  const bought = await balance();
  expect(bought).toBeGreaterThan(before);
  // The return form has the receipt's number; the chosen article goes back.
  await expect(page.getByLabel('Bonnummer')).toHaveValue(/^R-/);
  await page.getByRole('button', { name: 'Rückgabe buchen' }).click();
  await expect(page.locator('#till-result')).toContainText('Rückgabe zu Bon R-');
  expect(await balance()).toBe(before);
  expect(log.errors).toEqual([]);
  expect(log.consoleErrors).toEqual([]);
});
