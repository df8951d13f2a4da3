// The widget platform in the loader, with the API answered by page.route: one batched request
// per set of widgets coming into view, lazy loading, single-page shops, window.Vitrine,
// consent, impressions and clicks, the add-to-cart event, the repeat-view cache.
import { Page, Request } from '@playwright/test';
import { expect, mockBatch, recommendationsAnswer, SubRequest, test, testPage } from './fixtures';

const recs = (count = 4) => (sub: SubRequest) =>
  sub.path == 'recommendations'
    ? recommendationsAnswer(Math.min(count, +(sub.params.get('limit') ?? 4)), sub.params.get('context')?.split(':')[0])
    : { status: 404, body: { error: { code: 'not_found', message: 'not mocked' } } };

/** The events the page sent to POST /v1/events (beacons included), parsed. */
function recordEvents(page: Page): any[] {
  const events: any[] = [];
  page.on('request', (r: Request) => {
    if (r.method() == 'POST' && new URL(r.url()).pathname == '/v1/events') events.push(...JSON.parse(r.postData()!).events);
  });
  return events;
}

const tile = (page: Page, sku: string) => page.locator(`[data-vitrine] li[data-sku="${sku}"]`);

test('widgets that come into view together share one request; one far below loads when scrolled near', async ({ page, log }) => {
  await page.setViewportSize({ width: 1000, height: 800 });
  const batches = await mockBatch(page, recs());
  const single: string[] = [];
  page.on('request', (r) => /\/v1\/(recommendations|availability|loyalty)\?/.test(r.url()) && single.push(r.url()));
  const url = await testPage(
    page,
    '/t/batch.html',
    `<div data-vitrine="recommendations" data-limit="2"></div>
     <div data-vitrine="recommendations" data-context="cart" data-cart="A,B" data-limit="3"></div>
     <div style="height: 3000px"></div>
     <div id="far" data-vitrine="recommendations" data-sku="AH-1001"></div>`,
  );
  await page.goto(url);
  await expect(page.locator('[data-vitrine] li[data-sku]:not(.vitrine-recs__tile--skeleton)')).toHaveCount(5);
  expect(batches).toHaveLength(1);
  expect(batches[0].map((s) => s.path + '?' + s.params)).toEqual([
    'recommendations?context=home&limit=2',
    'recommendations?context=cart&limit=3&cart=A%2CB',
    // A visitor who allows personalisation: her open cart is asked for in the same request.
    'cart-recovery?',
  ]);
  await expect(page.locator('#far .vitrine-recs')).toHaveCount(0);
  // Within 400 px of the viewport: asked for and drawn.
  await page.evaluate(() => window.scrollTo(0, document.getElementById('far')!.offsetTop - 800 - 350));
  await expect(page.locator('#far li[data-sku]:not(.vitrine-recs__tile--skeleton)')).toHaveCount(4);
  expect(batches).toHaveLength(2);
  expect(batches[1].map((s) => s.params.get('context'))).toEqual(['product:AH-1001']);
  expect(single).toEqual([]);
  expect(log.errors).toEqual([]);
});

test('a single-page shop: placeholders added later mount, removed ones unmount without leaks, attribute changes redraw', async ({ page, log }) => {
  const batches = await mockBatch(page, recs());
  await page.goto(await testPage(page, '/t/spa.html', '<main id="app"></main>'));
  await page.waitForFunction(() => (window as any).Vitrine?.refresh);
  await page.evaluate(() => {
    document.getElementById('app')!.innerHTML = '<div id="w" data-vitrine="recommendations" data-sku="A"></div>';
  });
  await expect(page.locator('#w li[data-sku]:not(.vitrine-recs__tile--skeleton)')).toHaveCount(4);
  // Another product: the widget asks again and redraws.
  await page.evaluate(() => document.getElementById('w')!.setAttribute('data-sku', 'B'));
  await expect.poll(() => batches.flat().map((s) => s.params.get('context'))).toContain('product:B');
  await expect(page.locator('#w li[data-sku]:not(.vitrine-recs__tile--skeleton)')).toHaveCount(4);
  await expect(page.locator('#w .vitrine-recs')).toHaveCount(1);

  // Mount and unmount a hundred times: DOM nodes and listeners come back to where they were.
  const cdp = await page.context().newCDPSession(page);
  const counters = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return cdp.send('Memory.getDOMCounters');
  };
  const cycle = (n: number) =>
    page.evaluate(async (n) => {
      const app = document.getElementById('app')!;
      for (let i = 0; i < n; i++) {
        const el = document.createElement('div');
        el.dataset.vitrine = 'recommendations';
        el.dataset.sku = 'C' + (i % 3);
        app.append(el);
        await new Promise((r) => setTimeout(r, 30));
        el.remove();
        await new Promise((r) => setTimeout(r, 10));
      }
    }, n);
  await cycle(20);
  const before = await counters();
  await cycle(100);
  const after = await counters();
  expect(after.jsEventListeners - before.jsEventListeners).toBeLessThanOrEqual(5);
  expect(after.nodes - before.nodes).toBeLessThan(200);
  expect(log.errors).toEqual([]);
});

test('window.Vitrine: calls queued before the loader are replayed in order; on() hears the platform', async ({ page }) => {
  await mockBatch(page, recs());
  const events = recordEvents(page);
  await page.addInitScript(() => {
    (window as any).heard = [];
    (window as any).Vitrine = {
      q: [
        ['track', ['view', { sku: 'FIRST' }]],
        ['on', ['ready', () => (window as any).heard.push('ready')]],
        ['track', ['view', { sku: 'SECOND' }]],
      ],
    };
  });
  await page.goto(await testPage(page, '/t/queue.html', '<div data-vitrine="recommendations"></div>'));
  await page.waitForFunction(() => (window as any).heard.includes('ready'));
  await page.evaluate(() => (window as any).Vitrine.track('wishlist', { sku: 'THIRD' }));
  const tracked = () => events.filter((e) => e.type != 'impression');
  await expect.poll(() => tracked().map((e) => e.sku), { timeout: 10_000 }).toEqual(['FIRST', 'SECOND', 'THIRD']);
  expect(tracked().map((e) => e.type)).toEqual(['view', 'view', 'wishlist']);
  expect(new Set(tracked().map((e) => e.id)).size).toBe(3);
});

test('opt-in consent: nothing stored and nothing tracked before consent, then both', async ({ page }) => {
  const batches = await mockBatch(page, recs());
  const events = recordEvents(page);
  const posts: string[] = [];
  page.on('request', (r) => r.method() == 'POST' && posts.push(new URL(r.url()).pathname));
  await page.goto(await testPage(page, '/t/optin.html', '<div data-vitrine="recommendations"></div>', 'data-consent="opt-in"'));
  await expect(page.locator('li[data-sku]:not(.vitrine-recs__tile--skeleton)')).toHaveCount(4);
  await page.evaluate(() => (window as any).Vitrine.track('view', { sku: 'X' }));
  await page.waitForTimeout(2500); // the beacon timer
  const stored = () => page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)]);
  expect(await stored()).toEqual([]);
  expect(posts).toEqual([]);
  expect(batches[0].length).toBe(1);
  const batchUrls: string[] = [];
  page.on('request', (r) => r.url().includes('/v1/batch') && batchUrls.push(r.url()));

  await page.evaluate(() => (window as any).Vitrine.setConsent({ tracking: true, personalisation: true }));
  await expect.poll(() => posts).toContain('/v1/consent');
  expect((await stored()).sort()).toEqual(expect.arrayContaining(['vitrine:consent', 'vitrine:visitor']));
  // Personal now: the widgets ask again, with the visitor id.
  await expect.poll(() => batchUrls.length).toBeGreaterThan(0);
  expect(new URL(batchUrls[0]).searchParams.get('visitor_id')).toMatch(/^[0-9a-f]{32}$/);
  await page.evaluate(() => (window as any).Vitrine.track('view', { sku: 'Y' }));
  await expect.poll(() => events.filter((e) => e.type == 'view').map((e) => e.sku), { timeout: 10_000 }).toEqual(['Y']);

  // Withdrawn: everything the bundle stored is gone.
  await page.evaluate(() => (window as any).Vitrine.setConsent({ tracking: false, personalisation: false }));
  await expect.poll(stored).toEqual([]);
});

test('impressions after a second half in view, clicks, and the add-to-cart event', async ({ page }) => {
  await mockBatch(page, recs(4));
  const events = recordEvents(page);
  await page.goto(await testPage(page, '/t/impressions.html', '<div data-vitrine="recommendations" data-layout="grid"></div>'));
  await expect(page.locator('li[data-sku]:not(.vitrine-recs__tile--skeleton)')).toHaveCount(4);
  // Flushed after two seconds: an impression of the four tiles, with the list's id.
  await expect.poll(() => events.filter((e) => e.type == 'impression'), { timeout: 10_000 }).toHaveLength(1);
  const impression = events.find((e) => e.type == 'impression');
  expect(impression.recommendation_id).toMatch(/^home\./);
  expect(impression.skus.sort()).toEqual(['SKU-1', 'SKU-2', 'SKU-3', 'SKU-4']);

  // A shop that handles the button keeps the shopper on the page.
  await page.evaluate(() => {
    (window as any).added = [];
    (window as any).Vitrine.on('add-to-cart', (detail: any, event: Event) => {
      (window as any).added.push(detail.sku);
      event.preventDefault();
    });
  });
  await tile(page, 'SKU-2').getByRole('button').click();
  expect(await page.evaluate(() => (window as any).added)).toEqual(['SKU-2']);
  expect(new URL(page.url()).pathname).toBe('/t/impressions.html');
  await expect.poll(() => events.filter((e) => e.type == 'click').map((e) => e.sku), { timeout: 10_000 }).toEqual(['SKU-2']);
  expect(events.find((e) => e.type == 'click').recommendation_id).toBe(impression.recommendation_id);
});

test('without a handler, the add-to-cart button opens the product page (and the click is sent)', async ({ page }) => {
  await mockBatch(page, recs(2));
  const events = recordEvents(page);
  await page.goto(await testPage(page, '/t/follow.html', '<div data-vitrine="recommendations"></div>'));
  await tile(page, 'SKU-1').getByRole('button').click();
  await page.waitForURL('**/produkt/SKU-1');
  await expect.poll(() => events.filter((e) => e.type == 'click').map((e) => e.sku)).toEqual(['SKU-1']);
});

test('a repeat view shows the cached answer at once and redraws when the revalidated one differs', async ({ page }) => {
  let count = 2;
  let release!: () => void;
  let held: Promise<void> = Promise.resolve();
  await mockBatch(page, async (sub) => {
    await held;
    return recs(count)(sub);
  });
  const url = await testPage(page, '/t/repeat.html', '<div data-vitrine="recommendations"></div>');
  const shown = page.locator('li[data-sku]:not(.vitrine-recs__tile--skeleton)');
  await page.goto(url);
  await expect(shown).toHaveCount(2);
  // The API now stalls: the second view still shows the tiles, from the cache.
  held = new Promise((resolve) => (release = resolve));
  count = 3;
  await page.goto(url);
  await expect(shown).toHaveCount(2);
  release();
  await expect(shown).toHaveCount(3);
});
