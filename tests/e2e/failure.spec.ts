// Failure is silent for the shopper and loud in the console: the page keeps working.
import { spawn, ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { AvailabilityWidget, expect, FAILURES, ownHeight, RecommendationsWidget, routeBatch, test } from './fixtures';

const PRODUCT = '/produkt/AH-1001';

// The page's one batch fails as a whole: every widget on the page (the recommendations, the
// store availability, the cart recovery check) collapses, each with one console warning.
for (const [name, fail] of Object.entries(FAILURES)) {
  test(`with the API ${name}, the widgets collapse with one console warning each`, async ({ page, log }) => {
    await page.route('**/v1/batch?**', fail);
    await page.goto(PRODUCT);
    await expect(page.locator('#product-title')).toHaveText('Hardshelljacke Zugspitze, Herren');
    const widget = new RecommendationsWidget(page);
    const warnings = () => log.warnings.filter((w) => w.includes('[vitrine]')).map((w) => w.split(':')[0]).sort();
    await expect
      .poll(warnings)
      .toEqual(['[vitrine] cart recovery unavailable', '[vitrine] recommendations unavailable', '[vitrine] store availability unavailable']);
    await expect(widget.tiles).toHaveCount(0);
    await expect(widget.skeletons).toHaveCount(0);
    expect(await ownHeight(widget.host)).toBe(0);
    await expect(new AvailabilityWidget(page).status).toHaveCount(0);
    expect(await ownHeight(new AvailabilityWidget(page).host)).toBe(0);
    expect(log.errors).toEqual([]);
    // The page still works: the shop's own button is clickable.
    await page.locator('#add-to-cart').click();
  });
}

test('when the API answers the recommendations in the wrong shape, that widget collapses with one console warning', async ({ page, log }) => {
  await routeBatch(page, { recommendations: { status: 200, body: { items: [{ sku: 1 }] } } });
  await page.goto(PRODUCT);
  await expect(page.locator('#product-title')).toHaveText('Hardshelljacke Zugspitze, Herren');
  const widget = new RecommendationsWidget(page);
  await expect.poll(() => log.warnings.filter((w) => w.includes('[vitrine]')).length).toBe(1);
  expect(log.warnings[0]).toContain('[vitrine] recommendations unavailable');
  await expect(widget.tiles).toHaveCount(0);
  await expect(widget.skeletons).toHaveCount(0);
  expect(await ownHeight(widget.host)).toBe(0);
  // The other widget, answered in the same batch, is drawn.
  await expect(new AvailabilityWidget(page).sentence).not.toBeEmpty();
  expect(log.errors).toEqual([]);
  await page.locator('#add-to-cart').click();
});

/** Starts a server process and waits until `url` answers. */
async function start(args: string[], url: string): Promise<ChildProcess> {
  const child = spawn('target/server/vitrine-server', args, { stdio: 'ignore' });
  for (let i = 0; i < 100; i += 1) {
    try {
      if ((await fetch(url)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server ${args.join(' ')} did not come up`);
}

test('with the API server stopped, the shop page still loads without an uncaught error', async ({ page, log }) => {
  rmSync('target/e2e/down', { recursive: true, force: true });
  mkdirSync('target/e2e/down', { recursive: true });
  const api = await start(
    ['demo', '--listen', '127.0.0.1:18090', '--storefront-listen', 'off',
     '--storefront-origin', 'http://127.0.0.1:18091', '--database-url', 'sqlite://target/e2e/down/vitrine.db',
     '--master-key-file', 'target/e2e/down/master.key',
     '--bundle-dir', 'dist', '--storefront-dir', 'public'],
    'http://127.0.0.1:18090/healthz',
  );
  const shop = await start(
    ['storefront', '--listen', '127.0.0.1:18091', '--api-origin', 'http://127.0.0.1:18090', '--storefront-dir', 'public'],
    'http://127.0.0.1:18091/',
  );
  try {
    const url = `http://127.0.0.1:18091${PRODUCT}`;
    await page.goto(url);
    const widget = new RecommendationsWidget(page);
    await expect(widget.tiles).toHaveCount(4);

    api.kill('SIGKILL');
    await new Promise((resolve) => api.once('exit', resolve));
    // A repeat view in the same tab shows the answers kept from the first (sessionStorage) …
    await page.goto(url);
    await expect(page.locator('#product-title')).toHaveText('Hardshelljacke Zugspitze, Herren');
    await expect(widget.tiles).toHaveCount(4);
    await page.waitForLoadState('networkidle');
    expect(log.errors).toEqual([]);
    // … a new tab has none: the widget collapses, the page works.
    const tab = await page.context().newPage();
    tab.on('pageerror', (error) => log.errors.push(error.message));
    await tab.goto(url);
    await expect(tab.locator('#product-title')).toHaveText('Hardshelljacke Zugspitze, Herren');
    await tab.waitForLoadState('networkidle');
    const fresh = new RecommendationsWidget(tab);
    await expect(fresh.tiles).toHaveCount(0);
    await expect(fresh.skeletons).toHaveCount(0);
    expect(await ownHeight(fresh.host)).toBe(0);
    expect(log.errors).toEqual([]);
    await tab.locator('#add-to-cart').click();
  } finally {
    api.kill('SIGKILL');
    shop.kill('SIGKILL');
  }
});
