// The fault matrix: whatever goes wrong with the API or the bundle, the shop's page keeps
// working, nothing uncaught reaches it, and nothing on it jumps when a widget gives up.
import { Page } from '@playwright/test';
import { API } from '../../playwright.config';
import { expect, recordShifts, Shift, shifts, test, testPage } from './fixtures';

const BODY = `
  <h1>Testseite</h1>
  <div id="recs" data-vitrine="recommendations" data-sku="AH-1001"></div>
  <div id="avail" data-vitrine="availability" data-sku="AH-1001"></div>
  <p id="below">Inhalt unter den Widgets <button id="shop-button">Shop-Knopf</button></p>
  <div style="height: 2000px"></div>
  <div id="far" data-vitrine="recommendations"></div>`;

/**
 * The shifts that moved something up (into view, or higher within it). A widget's skeleton
 * appearing in an empty placeholder pushes what is below down once (the shop reserves the
 * space to avoid that: docs/embed.md, the reserve spec); a widget giving up must never pull it
 * back up: that jump is what this matrix is about.
 */
const jumpsBack = async (page: Page): Promise<Shift[]> =>
  (await shifts(page)).filter((s) => s.now.height > 0 && (s.was.height == 0 || s.now.y < s.was.y));
const belowTop = (page: Page) => page.locator('#below').evaluate((p) => p.getBoundingClientRect().top);

/** The shop's own script still works. */
async function pageWorks(page: Page) {
  await page.evaluate(() => {
    document.getElementById('shop-button')!.onclick = () => ((window as any).clicked = true);
  });
  await page.locator('#shop-button').click();
  expect(await page.evaluate(() => (window as any).clicked)).toBe(true);
}

const cases: [string, (route: any) => Promise<void>][] = [
  ['the API is down', (route) => route.abort('connectionrefused')],
  ['the API answers HTTP 500', (route) =>
    route.fulfill({ status: 500, contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body: '{"error":{"code":"internal","message":"x"}}' })],
  ['the API answers garbage JSON', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body: '{"answers": [{"status": 200, "bo' })],
  ['the API answers the wrong shape', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body: '{"answers": [{"status": 200, "body": {"items": "none"}}]}' })],
];

for (const [name, fail] of cases) {
  test(`when ${name}, the widgets collapse quietly and nothing moves`, async ({ page, log }) => {
    await recordShifts(page);
    await page.route('**/v1/batch?**', fail);
    await page.goto(await testPage(page, '/t/faults.html', BODY));
    await expect.poll(() => log.warnings.filter((w) => w.includes('[vitrine]')).length).toBeGreaterThanOrEqual(2);
    await page.waitForTimeout(500);
    expect(await jumpsBack(page)).toEqual([]);
    await expect(page.locator('#recs .vitrine-recs')).toHaveCount(0);
    expect(log.errors).toEqual([]);
    await pageWorks(page);
  });
}

test('when the API answers only after 10 s, the widgets give up after the time limit and keep their space while in view', async ({ page, log }) => {
  test.setTimeout(60_000);
  await recordShifts(page);
  await page.route('**/v1/batch?**', async (route) => {
    await new Promise((r) => setTimeout(r, 10_000));
    await route.abort('timedout').catch(() => {});
  });
  await page.goto(await testPage(page, '/t/slow.html', BODY));
  await expect(page.locator('#recs .vitrine-recs__tile--skeleton')).toHaveCount(4);
  await page.waitForTimeout(300);
  const top = await belowTop(page);
  await expect.poll(() => log.warnings.filter((w) => w.includes('[vitrine]')).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  await expect(page.locator('#recs .vitrine-recs')).toHaveCount(0);
  expect(await belowTop(page)).toBe(top);
  expect(await jumpsBack(page)).toEqual([]);
  // Scrolled away, the empty space is given back; scroll anchoring keeps the view still.
  await page.evaluate(() => window.scrollTo(0, 2600));
  await expect.poll(() => page.locator('#recs').evaluate((el) => (el as HTMLElement).style.minHeight)).toBe('');
  expect(log.errors).toEqual([]);
  await page.evaluate(() => window.scrollTo(0, 0));
  await pageWorks(page);
});

test('when a strict CSP refuses to compile the wasm, the page works and no widget appears', async ({ page, log }) => {
  await recordShifts(page);
  const url = await testPage(page, '/t/csp.html', BODY);
  await page.unroute(url);
  const home = await (await page.request.get('/')).text();
  const tag = home.match(/<script type="module" src="[^"]+"[^>]*>/)![0];
  await page.route(url, (route) =>
    route.fulfill({
      contentType: 'text/html',
      // No 'wasm-unsafe-eval': the browser refuses WebAssembly.
      headers: { 'content-security-policy': `script-src 'self' ${API}; connect-src ${API}` },
      body: `<!doctype html><html lang="de"><head><meta charset="utf-8"><link rel="icon" href="data:,">
             <title>CSP</title>${tag}</script></head><body>${BODY}</body></html>`,
    }),
  );
  await page.goto(url);
  await expect.poll(() => log.warnings.filter((w) => w.includes('[vitrine] widgets disabled')).length).toBe(1);
  expect(await page.locator('#recs').evaluate((el) => el.shadowRoot)).toBeNull();
  expect(await shifts(page)).toEqual([]);
  expect(log.errors).toEqual([]);
  await pageWorks(page);
});

test('a panic in the bundle takes the widgets down quietly and the wasm is never entered again', async ({ page, log }) => {
  // A panic in wasm built with panic=abort ends in an `unreachable` trap out of whichever
  // export was running. This wraps the bundle's exports so that, once armed, each call traps
  // exactly like that, and counts the calls.
  await page.addInitScript(() => {
    const w = window as any;
    w.trap = false;
    w.callsAfterTrap = 0;
    const real = WebAssembly.instantiateStreaming;
    WebAssembly.instantiateStreaming = async (source: any, imports: any) => {
      const { module, instance } = await real(source, imports);
      const exports: any = {};
      for (const [name, f] of Object.entries(instance.exports))
        exports[name] =
          typeof f != 'function'
            ? f
            : (...args: any[]) => {
                if (!w.trap) return (f as any)(...args);
                w.callsAfterTrap += 1;
                throw new WebAssembly.RuntimeError('unreachable');
              };
      return { module, instance: { exports } } as any;
    };
  });
  await page.goto(await testPage(page, '/t/panic.html', BODY));
  await expect(page.locator('#recs li[data-sku]:not(.vitrine-recs__tile--skeleton)')).toHaveCount(4);
  await page.evaluate(() => ((window as any).trap = true));
  // Anything that enters the wasm: here a placeholder coming into view.
  await page.evaluate(() => document.getElementById('far')!.scrollIntoView());
  await expect.poll(() => log.warnings.filter((w) => w.includes('[vitrine] widgets stopped')).length).toBe(1);
  await page.evaluate(() => window.scrollTo(0, 0));
  await expect(page.locator('#recs .vitrine-recs')).toHaveCount(0);
  await expect(page.locator('#avail .vitrine-availability')).toHaveCount(0);
  // More things that would enter it: a new placeholder, a changed attribute, a refresh.
  await page.evaluate(() => {
    const el = document.createElement('div');
    el.dataset.vitrine = 'recommendations';
    document.body.append(el);
    document.getElementById('recs')!.dataset.sku = 'AH-1002';
    (window as any).Vitrine.refresh();
  });
  await page.waitForTimeout(1500);
  expect(await page.evaluate(() => (window as any).callsAfterTrap)).toBe(1);
  expect(log.errors).toEqual([]);
  await pageWorks(page);
});
