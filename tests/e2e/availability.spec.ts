// Store availability on the product page: the best store for the SKU, the shopper's postcode
// or location (asked for only when she clicks), the shop's size picker, and silent failure.
// Expectations about stores come from the API itself where the demo's stock decides them.
import type { APIRequestContext, Page } from '@playwright/test';
import { API, STOREFRONT } from '../../playwright.config';
import {
  ApiRead, apiReads, AvailabilityWidget, errorAnswer, expect, FAILURES, holdWasm, ownHeight, RecommendationsWidget, routeBatch,
  SubAnswer, test,
} from './fixtures';

const KEY = 'pk_demo_alpenhaus';
/** A product without sizes, in stock in Salzburg and in Ulm. */
const PLAIN = 'AH-1003';
/** A product sold in sizes S–XL, each its own SKU. */
const SIZED = 'AH-1001';
const POSTCODE_KEY = 'vitrine:availability:postcode';
const ULM = { latitude: 48.398, longitude: 9.991 };

/** The API's answer for `params`, asked as the storefront asks. */
async function answer(request: APIRequestContext, params: Record<string, string>) {
  const response = await request.get(`${API}/v1/availability?${new URLSearchParams({ key: KEY, ...params })}`, {
    headers: { origin: STOREFRONT },
  });
  expect(response.ok()).toBe(true);
  return response.json();
}

/** The availability reads the page makes, in order: the loader's first in its batch, the
 * widget's later ones (another postcode, the location, another size) at the endpoint itself. */
function availabilityRequests(page: Page): () => ApiRead[] {
  const reads = apiReads(page);
  return () => reads.filter((read) => read.path == 'availability');
}

/** The loader's first read: in the page's batch, with the shop's key and the visitor id (consent
 * is the default), no customer token. */
function expectFirstRead(read: ApiRead, params: Record<string, string>) {
  expect(read.via).toBe('batch');
  expect(Object.fromEntries(read.params)).toEqual(params);
  expect([...read.shared.keys()].sort()).toEqual(['key', 'visitor_id']);
  expect(read.shared.get('key')).toBe(KEY);
}

/** Counts the page's calls of `navigator.geolocation.getCurrentPosition`. */
async function countGeolocationCalls(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const geolocation = navigator.geolocation;
    const original = geolocation.getCurrentPosition.bind(geolocation);
    (window as any).geolocationCalls = 0;
    geolocation.getCurrentPosition = (...args: Parameters<Geolocation['getCurrentPosition']>) => {
      (window as any).geolocationCalls += 1;
      original(...args);
    };
  });
}

test('the product page names the best store, and the other stores open from the keyboard', async ({ page, request, log }) => {
  const requests = availabilityRequests(page);
  const readsWhileWasmHeld = await holdWasm(page, 'availability');
  const expected = await answer(request, { sku: PLAIN });
  await page.goto(`/produkt/${PLAIN}`);
  const widget = new AvailabilityWidget(page);
  const best = expected.stores[0];
  await expect(widget.sentence).toContainText(best.stock === 'out' ? 'vorrätig' : best.name);
  expect(await widget.bestStore()).toBe(best.store_id);
  if (best.pickup?.days_from_today === 0) {
    // "Heute ab 16:00 abholbereit in München-Schwabing, 1,2 km": the store's clock, de-DE numbers.
    await expect(widget.sentence).toHaveText(
      new RegExp(`^Heute ab \\d{1,2}:\\d{2} abholbereit in ${best.name}, \\d+(,\\d)?\\sk?m$`),
    );
  }
  await expect(widget.host.locator('.vitrine-availability__heading')).toHaveText('In der Filiale abholen');
  // The loader asked while the wasm was still held back, and only once.
  expect(readsWhileWasmHeld()).toBe(1);
  expect(requests()).toHaveLength(1);
  expectFirstRead(requests()[0], { sku: PLAIN });

  // Keyboard only: Tab through the controls to the toggle, Enter opens, Space closes.
  await widget.locate.focus();
  await page.keyboard.press('Tab');
  await expect(widget.postcode).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(widget.host.getByRole('button', { name: 'Suchen' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(widget.toggle).toBeFocused();
  await expect(widget.toggle).toHaveText(`Weitere Filialen (${expected.stores.length - 1})`);
  await expect(widget.toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(widget.list).toBeHidden();
  await page.keyboard.press('Enter');
  await expect(widget.toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(widget.stores).toHaveCount(expected.stores.length - 1);
  expect(await widget.stores.evaluateAll((items) => items.map((i) => i.getAttribute('data-store-id')))).toEqual(
    expected.stores.slice(1).map((s: { store_id: string }) => s.store_id),
  );
  const first = widget.stores.first();
  await expect(first.locator('.vitrine-availability__store-distance')).toHaveText(/^\d+(,\d)?\sk?m$/);
  await expect(first.locator('.vitrine-availability__stock')).toHaveText(/^(Vorrätig|Nur noch wenige|Nicht vorrätig)$/);
  await expect(first.locator('.vitrine-availability__store-hours')).toHaveText(
    /^Heute (\d{1,2}:\d{2} – \d{1,2}:\d{2}|geschlossen)$/,
  );
  await page.keyboard.press('Space');
  await expect(widget.toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(widget.list).toBeHidden();
  expect(requests()).toHaveLength(1);
  expect(log.errors).toEqual([]);
  expect(log.consoleErrors).toEqual([]);
  expect(log.warnings).toEqual([]);
});

test('a typed postcode brings its nearest store first and is remembered for the next product', async ({ page, log }) => {
  const requests = availabilityRequests(page);
  await page.goto(`/produkt/${PLAIN}`);
  const widget = new AvailabilityWidget(page);
  await expect(widget.sentence).not.toBeEmpty();
  await widget.searchPostcode('5020');
  await expect.poll(() => widget.bestStore()).toBe('salzburg-altstadt');
  await expect(widget.sentence).toContainText('Salzburg Altstadt');
  await expect(widget.host.locator('.vitrine-availability__origin')).toHaveText('Filialen in der Nähe von 5020 Salzburg');
  await expect(widget.live).toContainText('Salzburg Altstadt');
  expect(requests().at(-1)!.via).toBe('single');
  expect(requests().at(-1)!.params.get('postcode')).toBe('5020');
  expect(await page.evaluate((key) => localStorage.getItem(key), POSTCODE_KEY)).toBe('5020 AT');

  // The next product page starts from there: the loader's first request carries it.
  await page.goto('/produkt/AH-1004');
  await expect.poll(() => widget.bestStore()).toBe('salzburg-altstadt');
  await expect(widget.postcode).toHaveValue('5020');
  expectFirstRead(requests().at(-1)!, { sku: 'AH-1004', postcode: '5020', country: 'AT' });

  // A postcode the API does not know is said under the field; the answer stays.
  await widget.searchPostcode('00000');
  await expect(widget.error).toHaveText('Diese Postleitzahl kennen wir leider nicht.');
  await expect(widget.postcode).toHaveAttribute('aria-invalid', 'true');
  await expect(widget.live).toHaveText('Diese Postleitzahl kennen wir leider nicht.');
  expect(await widget.bestStore()).toBe('salzburg-altstadt');
  // Not an API failure: no warning; and the remembered postcode is still the good one.
  expect(log.warnings).toEqual([]);
  expect(log.errors).toEqual([]);
  expect(await page.evaluate((key) => localStorage.getItem(key), POSTCODE_KEY)).toBe('5020 AT');
  // Corrected, the error goes.
  await widget.searchPostcode('80802');
  await expect(widget.host.locator('.vitrine-availability__origin')).toHaveText('Filialen in der Nähe von 80802 München');
  await expect(widget.error).toBeHidden();
  await expect(widget.postcode).not.toHaveAttribute('aria-invalid', 'true');
});

test('the location is asked for only on click, and near Ulm brings Ulm first; it is not stored', async ({ page, context, log }) => {
  await context.grantPermissions(['geolocation'], { origin: STOREFRONT });
  await context.setGeolocation(ULM);
  await countGeolocationCalls(page);
  const requests = availabilityRequests(page);
  await page.goto(`/produkt/${PLAIN}`);
  const widget = new AvailabilityWidget(page);
  await expect(widget.sentence).not.toBeEmpty();
  expect(await page.evaluate(() => (window as any).geolocationCalls)).toBe(0);
  expect(requests().some((read) => read.params.has('lat'))).toBe(false);

  await widget.locate.click();
  await expect.poll(() => widget.bestStore()).toBe('ulm-muensterplatz');
  expect(await page.evaluate(() => (window as any).geolocationCalls)).toBe(1);
  const last = requests().at(-1)!;
  expect(last.via).toBe('single');
  expect([Number(last.params.get('lat')), Number(last.params.get('lon'))]).toEqual([ULM.latitude, ULM.longitude]);
  expect(last.params.has('postcode')).toBe(false);
  await expect(widget.host.locator('.vitrine-availability__origin')).toHaveText('Filialen in Ihrer Nähe');
  await expect(widget.live).toContainText('Ulm Münsterplatz');
  // Stored: the visitor id (consent is the default) and the first view's answers, never the location.
  expect(await page.evaluate(() => Object.keys(localStorage))).toEqual(['vitrine:visitor']);
  const stored = await page.evaluate(() => Object.entries(sessionStorage).flat().join(' '));
  expect(stored).not.toContain('lat=');
  expect(stored).not.toContain(String(ULM.latitude));
  expect(log.errors).toEqual([]);
  expect(log.warnings).toEqual([]);
});

test('a refused location leaves the answer as it was and offers the postcode field', async ({ page, context, log }) => {
  await context.clearPermissions();
  const requests = availabilityRequests(page);
  await page.goto(`/produkt/${PLAIN}`);
  const widget = new AvailabilityWidget(page);
  await expect(widget.sentence).not.toBeEmpty();
  const before = { store: await widget.bestStore(), sentence: await widget.sentence.textContent() };

  await widget.locate.click();
  const note = 'Ihr Standort konnte nicht verwendet werden. Geben Sie stattdessen Ihre Postleitzahl ein.';
  await expect(widget.note).toHaveText(note);
  await expect(widget.live).toHaveText(note);
  await expect(widget.postcode).toBeFocused();
  expect({ store: await widget.bestStore(), sentence: await widget.sentence.textContent() }).toEqual(before);
  expect(requests()).toHaveLength(1);
  expect(log.errors).toEqual([]);
  expect(log.warnings).toEqual([]);

  // The field it offers works.
  await page.keyboard.type('5020');
  await page.keyboard.press('Enter');
  await expect.poll(() => widget.bestStore()).toBe('salzburg-altstadt');
  await expect(widget.note).toBeHidden();
});

test('choosing a size asks for that SKU from the same place and announces the new status', async ({ page, request, log }) => {
  const requests = availabilityRequests(page);
  await page.goto(`/produkt/${SIZED}`);
  const widget = new AvailabilityWidget(page);
  await expect(widget.sentence).not.toBeEmpty();
  await widget.searchPostcode('80802');
  await expect(widget.host.locator('.vitrine-availability__origin')).toHaveText('Filialen in der Nähe von 80802 München');
  let said = await widget.live.textContent();

  const picker = page.getByLabel('Größe');
  for (const [size, sku] of [['XL', `${SIZED}-XL`], ['S', `${SIZED}-S`]]) {
    const expected = await answer(request, { sku, postcode: '80802', country: 'DE' });
    const count = requests().length;
    await picker.selectOption(size);
    await expect.poll(() => requests().length).toBe(count + 1);
    const read = requests().at(-1)!;
    expect(read.via).toBe('single');
    expect([read.params.get('sku'), read.params.get('postcode'), read.params.get('country')]).toEqual([sku, '80802', 'DE']);
    await expect.poll(() => widget.bestStore()).toBe(expected.stores[0].store_id);
    const everywhereOut = expected.stores.every((s: { stock: string }) => s.stock === 'out');
    if (everywhereOut) await expect(widget.sentence).toHaveText('Derzeit in keiner Filiale in Ihrer Nähe vorrätig');
    else await expect(widget.sentence).toContainText(expected.stores[0].name);
    // The live region says the new status.
    await expect(widget.live).not.toHaveText(said!);
    await expect(widget.live).toContainText((await widget.sentence.textContent())!);
    said = await widget.live.textContent();
  }
  expect(log.errors).toEqual([]);
  expect(log.warnings).toEqual([]);
});

test('the skeleton reserves the final size, so the product page does not shift', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 900 });
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await routeBatch(page, { availability: { after: held } });
  await page.goto(`/produkt/${PLAIN}`);
  const widget = new AvailabilityWidget(page);
  await expect(widget.skeleton.first()).toBeVisible();
  const footer = page.locator('footer');
  const loading = { widget: await widget.host.boundingBox(), footer: await footer.boundingBox() };
  release();
  await expect(widget.sentence).not.toBeEmpty();
  await expect(widget.skeleton).toHaveCount(0);
  await expect(new RecommendationsWidget(page).tiles).toHaveCount(4);
  const loaded = { widget: await widget.host.boundingBox(), footer: await footer.boundingBox() };
  expect(loaded).toEqual(loading);
});

// The loader's first read fails in its batch (the other widgets' answers in it are real); the
// widget's later read, at the endpoint itself, fails as a whole.
const failing: [string, SubAnswer, (typeof FAILURES)[keyof typeof FAILURES]][] = [
  ['answering 500', errorAnswer(500, 'internal'), FAILURES['answering 500']],
  ['timing out, then unreachable', errorAnswer(408, 'timeout'), FAILURES.unreachable],
  ['answering the wrong shape, then garbage', { status: 200, body: { stores: 'none' } }, FAILURES['answering garbage']],
];
for (const [name, first, fail] of failing) {
  test(`with the availability API ${name}, the widget collapses and the page works`, async ({ page, log }) => {
    await routeBatch(page, { availability: first });
    await page.route('**/v1/availability?**', fail);
    await page.goto(`/produkt/${SIZED}`);
    await expect(page.locator('#product-title')).toHaveText('Hardshelljacke Zugspitze, Herren');
    const warnings = () => log.warnings.filter((w) => w.includes('[vitrine] store availability unavailable'));
    await expect.poll(() => warnings().length).toBe(1);
    const widget = new AvailabilityWidget(page);
    await expect(widget.skeleton).toHaveCount(0);
    await expect(widget.sentence).toHaveCount(0);
    expect(await ownHeight(widget.host)).toBe(0);
    // The rest of the page is untouched: the recommendations, the size picker, the cart button.
    await expect(new RecommendationsWidget(page).tiles).toHaveCount(4);
    await page.getByLabel('Größe').selectOption('M');
    await page.locator('#add-to-cart').click();
    await expect.poll(() => warnings().length).toBe(2);
    expect(await ownHeight(widget.host)).toBe(0);
    expect(log.errors).toEqual([]);
    expect(log.consoleErrors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
}
