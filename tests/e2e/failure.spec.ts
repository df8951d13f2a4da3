// Failure is silent for the shopper and loud in the console: the page keeps working.
import { spawn, ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { expect, RecommendationsWidget, test } from './fixtures';

const PRODUCT = '/product.html?sku=AH-1001';

for (const [name, fulfil] of [
  ['the API is unreachable', (route: any) => route.abort('connectionrefused')],
  ['the API answers 500', (route: any) => route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"internal","message":"x"}}' })],
  ['the API answers garbage', (route: any) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"items": "not a list"' })],
  ['the API answers the wrong shape', (route: any) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"items": [{"sku": 1}]}' })],
] as const) {
  test(`when ${name}, the widget collapses with one console warning`, async ({ page, log }) => {
    await page.route('**/v1/recommendations**', fulfil);
    await page.goto(PRODUCT);
    await expect(page.locator('#product-title')).toHaveText('Hardshelljacke Zugspitze, Herren');
    const widget = new RecommendationsWidget(page);
    await expect.poll(() => log.warnings.filter((w) => w.includes('[vitrine]')).length).toBe(1);
    await expect(widget.tiles).toHaveCount(0);
    await expect(widget.skeletons).toHaveCount(0);
    expect((await widget.host.boundingBox())!.height).toBe(0);
    expect(log.errors).toEqual([]);
    // The page still works: the shop's own button is clickable.
    await page.locator('#add-to-cart').click();
  });
}

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
    await page.goto(url);
    await expect(page.locator('#product-title')).toHaveText('Hardshelljacke Zugspitze, Herren');
    await page.waitForLoadState('networkidle');
    expect((await widget.host.boundingBox())!.height).toBe(0);
    expect(log.errors).toEqual([]);
    await page.locator('#add-to-cart').click();
  } finally {
    api.kill('SIGKILL');
    shop.kill('SIGKILL');
  }
});
