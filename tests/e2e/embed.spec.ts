// The embed contract end to end: one script tag on a foreign origin, widgets in shadow roots,
// CSP, hostile page styles, and silent failure.
import { API, STOREFRONT } from '../../playwright.config';
import { apiReads, expect, holdWasm, RecommendationsWidget, routeBatch, test } from './fixtures';

const PRODUCT = '/produkt/AH-1001';

test('the product page shows four recommended products in the widget shadow root', async ({ page, log }) => {
  await page.goto(PRODUCT);
  const widget = new RecommendationsWidget(page);
  await expect(widget.tiles).toHaveCount(4);
  expect(await widget.rendersInShadowRoot()).toBe(true);
  const skus = await widget.skus();
  expect(skus).not.toContain('AH-1001');
  expect(new Set(skus).size).toBe(4);
  // Title, image, price in de-DE, and a link to the product page on the shop's origin.
  const first = widget.tiles.first();
  await expect(first.locator('.vitrine-recs__title')).not.toBeEmpty();
  await expect(first.locator('.vitrine-recs__price')).toHaveText(/^\d{1,3}(\.\d{3})*,\d{2}\u00a0€$/);
  await expect(first.locator('img')).toHaveAttribute('src', new RegExp(`^${STOREFRONT}/images/AH-\\d+\\.svg$`));
  const href = await first.locator('a').getAttribute('href');
  expect(href).toBe(`${STOREFRONT}/produkt/${skus[0]}`);
  await expect(widget.host.locator('.vitrine-recs__heading')).toHaveText('Das könnte Ihnen auch gefallen');
  expect(log.errors).toEqual([]);
  expect(log.consoleErrors).toEqual([]);
  expect(log.warnings).toEqual([]);
});

test('a tile leads to its product page, which recommends other products', async ({ page }) => {
  await page.goto(PRODUCT);
  const widget = new RecommendationsWidget(page);
  // The tiles must be there before their SKUs are read (skus() does not wait).
  await expect(widget.tiles).toHaveCount(4);
  const [sku] = await widget.skus();
  expect(sku).toBeTruthy();
  await widget.tiles.first().locator('a').click();
  await expect(page).toHaveURL(`${STOREFRONT}/produkt/${sku}`);
  await expect(widget.tiles).toHaveCount(4);
  expect(await widget.skus()).not.toContain(sku);
});

test('the home page shows popular products', async ({ page, log }) => {
  await page.goto('/');
  const widget = new RecommendationsWidget(page);
  await expect(widget.tiles).toHaveCount(4);
  await expect(widget.host.locator('.vitrine-recs__heading')).toHaveText('Beliebt bei unseren Kundinnen und Kunden');
  expect(log.errors).toEqual([]);
});

test('the storefront runs under a strict CSP with no inline script', async ({ page, request, log }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  const response = await page.goto(PRODUCT);
  const csp = response!.headers()['content-security-policy'];
  expect(csp).toContain(`script-src 'self' ${API} 'wasm-unsafe-eval'`);
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain("'unsafe-eval'");
  const html = await (await request.get(PRODUCT)).text();
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  await expect(new RecommendationsWidget(page).tiles).toHaveCount(4);
  expect(violations).toEqual([]);
  expect(log.errors).toEqual([]);
});

test('aggressive page styles do not change the widget', async ({ page }) => {
  const measure = async () => {
    const widget = new RecommendationsWidget(page);
    await expect(widget.tiles).toHaveCount(4);
    return widget.host.evaluate((host) => {
      // The shop decides how wide the placeholder is; pin it so only the widget is compared.
      host.style.setProperty('width', '900px', 'important');
      const root = host.shadowRoot!;
      const origin = root.querySelector('.vitrine')!.getBoundingClientRect();
      const pick = (selector: string) =>
        [...root.querySelectorAll(selector)].map((el) => {
          const box = el.getBoundingClientRect();
          const style = getComputedStyle(el);
          return {
            x: Math.round(box.x - origin.x),
            y: Math.round(box.y - origin.y),
            w: Math.round(box.width),
            h: Math.round(box.height),
            color: style.color,
            font: style.fontSize + ' ' + style.fontFamily,
            display: style.display,
          };
        });
      return { tiles: pick('.vitrine-recs__tile'), titles: pick('.vitrine-recs__title'), prices: pick('.vitrine-recs__price') };
    });
  };
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto(PRODUCT);
  const normal = await measure();

  await page.route(`${STOREFRONT}/shop.css`, (route) =>
    route.fulfill({
      contentType: 'text/css',
      body: `* { display: inline !important; color: red !important; font: 40px/3 "Comic Sans MS" !important;
                 margin: 17px !important; padding: 9px !important; border: 3px solid lime !important;
                 box-sizing: content-box !important; letter-spacing: 4px !important; }
             div, section, ul, li, a, img, span, h2 { all: unset !important; }`,
    }),
  );
  await page.goto(PRODUCT);
  const hostile = await measure();
  expect(hostile).toEqual(normal);
  // The page itself did turn red: the stylesheet was applied.
  expect(await page.locator('h1').evaluate((h) => getComputedStyle(h).color)).toBe('rgb(255, 0, 0)');
});

test('the loader starts the API request without waiting for the wasm', async ({ page }) => {
  const readsWhileWasmHeld = await holdWasm(page, 'recommendations');
  const reads = apiReads(page);
  await page.goto(PRODUCT);
  await expect(new RecommendationsWidget(page).tiles).toHaveCount(4);
  // Asked while the wasm was still held back: the request does not wait for it.
  expect(readsWhileWasmHeld()).toBe(1);
  // Asked once, in the page's one batch, never at the endpoint itself.
  expect(reads.filter((read) => read.path == 'recommendations').map((read) => read.via)).toEqual(['batch']);
});

test('calls to window.Vitrine made before the bundle loaded are replayed', async ({ page }) => {
  const reads = apiReads(page);
  // A shop script that ran before the loader: it queued a refresh and a listener.
  await page.addInitScript(() => {
    (window as any).heard = [];
    (window as any).Vitrine = { q: [['refresh', []], ['on', ['ready', () => (window as any).heard.push('ready')]]] };
  });
  await page.goto(PRODUCT);
  await expect(new RecommendationsWidget(page).tiles).toHaveCount(4);
  await expect.poll(() => page.evaluate(() => (window as any).heard)).toEqual(['ready']);
  expect(await page.evaluate(() => (window as any).Vitrine.q)).toBeUndefined();
  // The refresh was replayed before anything was asked: the widget asked once, in a batch.
  expect(reads.filter((read) => read.path == 'recommendations').map((read) => read.via)).toEqual(['batch']);
});

test('the skeleton reserves the final size, so the page does not shift', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 900 });
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await routeBatch(page, { recommendations: { after: held } });
  await page.goto(PRODUCT);
  const widget = new RecommendationsWidget(page);
  await expect(widget.skeletons).toHaveCount(4);
  const footer = page.locator('footer');
  const loading = { widget: await widget.host.boundingBox(), footer: await footer.boundingBox() };
  release();
  await expect(widget.tiles).toHaveCount(4);
  await expect(widget.tiles.first().locator('img')).toHaveJSProperty('complete', true);
  const loaded = { widget: await widget.host.boundingBox(), footer: await footer.boundingBox() };
  expect(loaded).toEqual(loading);
});
