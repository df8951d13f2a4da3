// Shared helpers: a page that records what the console and the page report, and the
// recommendations widget as a page object.
import { test as base, expect, Locator, Page } from '@playwright/test';

export { expect };

/** What a page said while the test ran. */
export interface PageLog {
  errors: string[];
  warnings: string[];
  consoleErrors: string[];
}

export const test = base.extend<{ log: PageLog }>({
  log: async ({ page }, use) => {
    const log: PageLog = { errors: [], warnings: [], consoleErrors: [] };
    page.on('pageerror', (error) => log.errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'warning') log.warnings.push(message.text());
      if (message.type() === 'error') log.consoleErrors.push(message.text());
    });
    await use(log);
  },
});

/** The recommendations widget on a page (Playwright's CSS locators pierce open shadow roots). */
export class RecommendationsWidget {
  readonly host: Locator;
  readonly tiles: Locator;
  readonly skeletons: Locator;

  constructor(page: Page) {
    this.host = page.locator('[data-vitrine="recommendations"]');
    this.tiles = this.host.locator('.vitrine-recs__tile:not(.vitrine-recs__tile--skeleton)');
    this.skeletons = this.host.locator('.vitrine-recs__tile--skeleton');
  }

  /** SKUs of the rendered tiles, in order. */
  async skus(): Promise<string[]> {
    return this.tiles.evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-sku') ?? ''));
  }

  /** Whether the tiles live inside the placeholder's shadow root (not in the page's DOM). */
  async rendersInShadowRoot(): Promise<boolean> {
    return this.host.evaluate(
      (el) =>
        el.shadowRoot !== null &&
        el.shadowRoot.querySelectorAll('.vitrine-recs__tile').length > 0 &&
        el.querySelectorAll('.vitrine-recs__tile').length === 0,
    );
  }
}
