// Reserving the space (docs/embed.md): the demo shop's stylesheet gives every placeholder its
// widget's size before the bundle has run; the skeleton takes exactly that space, the reserve
// goes, and nothing on the shop's page moves. The wasm is held back until the page has been
// painted without it, as on a real network.
import type { Page } from '@playwright/test';
import { expect, holdWasmUntil, LoyaltyWidget, recordShifts, RecommendationsWidget, shifts, test } from './fixtures';

/** Each placeholder's height, in page order. */
const heights = (page: Page): Promise<number[]> =>
  page.locator('[data-vitrine]').evaluateAll((all) => all.map((el) => el.getBoundingClientRect().height));

/** Whether each placeholder's reserve (its `::before`) is still shown. */
const reserves = (page: Page): Promise<boolean[]> =>
  page.locator('[data-vitrine]').evaluateAll((all) => all.map((el) => getComputedStyle(el, '::before').display != 'none'));

const cases: { path: string; width: number; placeholders: number; drawn: (page: Page) => Promise<void> }[] = [
  { path: '/', width: 1280, placeholders: 1, drawn: (page) => expect(new RecommendationsWidget(page).tiles).toHaveCount(4) },
  // A phone: the tiles at their smallest, the heading on two lines.
  { path: '/', width: 390, placeholders: 1, drawn: (page) => expect(new RecommendationsWidget(page).tiles).toHaveCount(4) },
  { path: '/konto', width: 1280, placeholders: 1, drawn: (page) => expect(new LoyaltyWidget(page).join).toBeVisible() },
  { path: '/konto', width: 390, placeholders: 1, drawn: (page) => expect(new LoyaltyWidget(page).join).toBeVisible() },
  {
    path: '/produkt/AH-1003',
    width: 1280,
    placeholders: 2,
    drawn: async (page) => {
      await expect(new RecommendationsWidget(page).tiles).toHaveCount(4);
      await expect(page.locator('[data-vitrine="availability"] .vitrine-availability__sentence')).not.toBeEmpty();
    },
  },
];

for (const { path, width, placeholders, drawn } of cases) {
  test(`${path} at ${width} px: the reserved space becomes the widgets and nothing on the page moves`, async ({ page, log }) => {
    await page.setViewportSize({ width, height: 900 });
    await recordShifts(page);
    let release = () => {};
    await holdWasmUntil(page, new Promise<void>((resolve) => (release = resolve)));
    await page.goto(path);
    // The shop's app has drawn its view (the widget bundle is still held back).
    await expect(page.locator('[data-vitrine]')).toHaveCount(placeholders);
    // Painted without the bundle: each placeholder already has its widget's size.
    await shifts(page);
    const reserved = await heights(page);
    expect(reserved.every((height) => height > 100)).toBe(true);
    expect(await reserves(page)).toEqual(reserved.map(() => true));

    release();
    await drawn(page);
    // The reserve gave way to the widget, which is exactly as tall.
    expect(await reserves(page)).toEqual(reserved.map(() => false));
    expect(await heights(page)).toEqual(reserved);
    expect((await shifts(page)).filter((shift) => shift.page)).toEqual([]);
    expect(log.errors).toEqual([]);
  });
}
