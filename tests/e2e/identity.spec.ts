// Identity in the loader: after a sign-out the next person on the browser is a new anonymous
// visitor (a new visitor id, no token, nothing cached of the old identity), and beacons carry
// the customer token in their body, never in their URL. The API's batch is answered by
// page.route; beacons reach the real API.
import { Page } from '@playwright/test';
import { customerToken, expect, mockBatch, recommendationsAnswer, SubRequest, test, testPage } from './fixtures';

const recs = (sub: SubRequest) =>
  sub.path == 'recommendations'
    ? recommendationsAnswer(4)
    : { status: 404, body: { error: { code: 'not_found', message: 'not mocked' } } };

/** What each batch and each beacon of the page carried: URL parameters and, for beacons, the body. */
function record(page: Page) {
  const batches: URLSearchParams[] = [];
  const beacons: { path: string; query: URLSearchParams; body: any }[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname == '/v1/batch') batches.push(url.searchParams);
    if (r.method() == 'POST' && url.pathname.startsWith('/v1/'))
      beacons.push({ path: url.pathname, query: url.searchParams, body: JSON.parse(r.postData() ?? 'null') });
  });
  return { batches, beacons };
}

const PLACEHOLDER = '<div data-vitrine="recommendations"></div>';

test('after Vitrine.signOut() the requests carry a new visitor id and no token; beacons never carry it in the URL', async ({ page }) => {
  await mockBatch(page, recs);
  const { batches, beacons } = record(page);
  const token = customerToken('K-1001');
  await page.goto(await testPage(page, '/t/signed-in.html', PLACEHOLDER, `data-customer-token="${token}"`));
  await expect.poll(() => batches.length).toBeGreaterThan(0);
  const before = batches[0];
  expect(before.get('customer_token')).toBe(token);
  const first = before.get('visitor_id')!;
  expect(first).toMatch(/^[0-9a-f]{32}$/);
  await expect(page.locator('li[data-sku]:not(.vitrine-recs__tile--skeleton)')).toHaveCount(4);

  // An event queued while she is signed in goes out as hers when she signs out.
  await page.evaluate(() => (window as any).Vitrine.track('view', { sku: 'HERS' }));
  const asked = batches.length;
  await page.evaluate(() => (window as any).Vitrine.signOut());
  await expect.poll(() => batches.length).toBeGreaterThan(asked);
  const after = batches[batches.length - 1];
  expect(after.has('customer_token')).toBe(false);
  const second = after.get('visitor_id')!;
  expect(second).toMatch(/^[0-9a-f]{32}$/);
  expect(second).not.toBe(first);
  expect(await page.evaluate(() => localStorage.getItem('vitrine:visitor'))).toBe(second);
  const cached = await page.evaluate(() => Object.keys(sessionStorage).join('\n'));
  expect(cached).not.toContain(token);
  expect(cached).not.toContain(first);

  await page.evaluate(() => (window as any).Vitrine.track('view', { sku: 'NEXT' }));
  const events = () => beacons.filter((b) => b.path == '/v1/events');
  await expect.poll(() => events().length, { timeout: 10_000 }).toBe(2);
  const [hers, next] = events();
  expect(hers.body.events.map((e: any) => e.sku)).toEqual(['HERS']);
  expect([hers.body.visitor_id, hers.body.customer_token]).toEqual([first, token]);
  expect(next.body.events.map((e: any) => e.sku)).toEqual(['NEXT']);
  expect(next.body.visitor_id).toBe(second);
  expect(next.body.customer_token).toBeUndefined();
  // The key is the only thing a beacon's URL carries.
  for (const beacon of beacons) expect([...beacon.query.keys()]).toEqual(['key']);

  // identify(null) is a sign-out too.
  await page.evaluate((t) => (window as any).Vitrine.identify(t), customerToken('K-1002'));
  await expect.poll(() => batches[batches.length - 1].get('customer_token')).toBeTruthy();
  expect(batches[batches.length - 1].get('visitor_id')).toBe(second);
  await page.evaluate(() => (window as any).Vitrine.identify(null));
  await expect.poll(() => batches[batches.length - 1].has('customer_token')).toBe(false);
  const third = batches[batches.length - 1].get('visitor_id');
  expect([first, second]).not.toContain(third);
});

test('a page without the token after a page with it starts a new anonymous visitor', async ({ page }) => {
  await mockBatch(page, recs);
  const { batches } = record(page);
  const token = customerToken('K-1003');
  await page.goto(await testPage(page, '/t/account.html', PLACEHOLDER, `data-customer-token="${token}"`));
  await expect.poll(() => batches.length).toBe(1);
  const hers = batches[0].get('visitor_id');
  expect(batches[0].get('customer_token')).toBe(token);

  // She signed out on the shop's side: the next page has no token on its script tag.
  await page.goto(await testPage(page, '/t/home.html', PLACEHOLDER));
  await expect.poll(() => batches.length).toBe(2);
  expect(batches[1].has('customer_token')).toBe(false);
  const next = batches[1].get('visitor_id');
  expect(next).toMatch(/^[0-9a-f]{32}$/);
  expect(next).not.toBe(hers);

  // A further page as the same guest keeps her visitor id.
  await page.goto(await testPage(page, '/t/home2.html', PLACEHOLDER));
  await expect.poll(() => batches.length).toBe(3);
  expect(batches[2].get('visitor_id')).toBe(next);
});
