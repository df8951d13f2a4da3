// The widgets in six locales, the API answered by page.route (GET /v1/batch): each locale's
// texts, and every price, number, date, time and distance exactly as the browser's own Intl
// formats it for that locale (computed in the page, so the test proves the widgets asked Intl
// with the right locale, not that they match a copied string). Then the shop's data-text-*
// replacements on placeholders and on the script tag.
import type { Page } from '@playwright/test';
import { expect, mockBatch, SubRequest, test, testPage, onScriptTag } from './fixtures';

const DAY = 86_400_000;

/** What one locale's page shows: its texts, and the currency the shop sells in. */
interface Locale {
  locale: string;
  currency: string;
  popularHeading: string;
  addToCart: string;
  reasonPopular: string;
  availabilityHeading: string;
  /** `{time}`, `{store}`. */
  pickupTomorrow: string;
  /** `{time}`. */
  openCloses: string;
  postcodeLabel: string;
  loyaltyHeading: string;
  points: string;
  /** `{value}`. */
  pointsValue: string;
  /** `{store}`. */
  storePurchase: string;
  recoveryHeading: string;
  recoveryClose: string;
  /** `{total}`. */
  recoveryTotal: string;
  recoveryBack: string;
}

const GERMAN: Omit<Locale, 'locale' | 'currency'> = {
  popularHeading: 'Beliebt bei unseren Kundinnen und Kunden',
  addToCart: 'In den Warenkorb',
  reasonPopular: 'Bestseller',
  availabilityHeading: 'In der Filiale abholen',
  pickupTomorrow: 'Morgen ab {time} abholbereit in {store}',
  openCloses: 'Geöffnet · schließt heute um {time}',
  postcodeLabel: 'Postleitzahl',
  loyaltyHeading: 'Treuepunkte',
  points: 'Punkte',
  pointsValue: 'Wert: {value}',
  storePurchase: 'Einkauf in Filiale {store}',
  recoveryHeading: 'Ihr Warenkorb wartet auf Sie',
  recoveryClose: 'Schließen',
  recoveryTotal: 'Summe: {total}',
  recoveryBack: 'Zurück zum Warenkorb',
};

const BRITISH: Omit<Locale, 'locale' | 'currency'> = {
  popularHeading: 'Popular with our customers',
  addToCart: 'Add to basket',
  reasonPopular: 'Best seller',
  availabilityHeading: 'Pick up in store',
  pickupTomorrow: 'Ready for pickup tomorrow from {time} at {store}',
  openCloses: 'Open now · closes today at {time}',
  postcodeLabel: 'Postcode',
  loyaltyHeading: 'Loyalty points',
  points: 'points',
  pointsValue: 'Worth {value}',
  storePurchase: 'Purchase at {store}',
  recoveryHeading: 'Your basket is waiting for you',
  recoveryClose: 'Close',
  recoveryTotal: 'Total: {total}',
  recoveryBack: 'Back to basket',
};

const LOCALES: Locale[] = [
  { locale: 'de-DE', currency: 'EUR', ...GERMAN },
  { locale: 'de-AT', currency: 'EUR', ...GERMAN },
  {
    locale: 'de-CH',
    currency: 'CHF',
    ...GERMAN,
    openCloses: 'Geöffnet · schliesst heute um {time}',
    recoveryClose: 'Schliessen',
  },
  { locale: 'en-GB', currency: 'GBP', ...BRITISH },
  {
    locale: 'en-US',
    currency: 'USD',
    ...BRITISH,
    addToCart: 'Add to cart',
    postcodeLabel: 'ZIP code',
    recoveryHeading: 'Your cart is waiting for you',
    recoveryBack: 'Back to cart',
  },
  {
    locale: 'fr-FR',
    currency: 'EUR',
    popularHeading: 'Les préférés de nos clients',
    addToCart: 'Ajouter au panier',
    reasonPopular: 'Meilleure vente',
    availabilityHeading: 'Retrait en magasin',
    pickupTomorrow: 'Disponible en retrait demain dès {time} à {store}',
    openCloses: 'Ouvert · ferme aujourd’hui à {time}',
    postcodeLabel: 'Code postal',
    loyaltyHeading: 'Points de fidélité',
    points: 'points',
    pointsValue: 'Valeur\u00a0: {value}',
    storePurchase: 'Achat au magasin {store}',
    recoveryHeading: 'Votre panier vous attend',
    recoveryClose: 'Fermer',
    recoveryTotal: 'Total\u00a0: {total}',
    recoveryBack: 'Retour au panier',
  },
];

/** `template` with each `{name}` replaced, as the widgets fill their texts. */
const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (whole, name) => values[name] ?? whole);

/** The moments the answers name, fixed when the test starts. */
const NOW = Date.now();
const moments = {
  /** A store in UTC that closes a minute from now: "closes today" (a minute's flake window). */
  closesAt: new Date(NOW + 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
  /** Ready for pickup tomorrow at 10:30 UTC. */
  readyAt: new Date(Math.floor(NOW / DAY) * DAY + DAY + 10.5 * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
  /** A till purchase three days ago (seconds). */
  boughtAt: Math.floor(NOW / 1000) - 3 * 86_400,
};

/** The API's answers for a shop selling in `currency`, per sub-request of the batch. */
function answers(currency: string) {
  const money = (amount_minor: number) => ({ amount_minor, currency });
  const hours = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [['09:00', '20:00']]]));
  const store = (store_id: string, name: string, distance_m: number) => ({
    store_id, name, street: 'Münsterplatz 1', postcode: '80802', city: 'München', country: 'DE', usual: false,
    distance_m, stock: 'in_stock', timezone: 'UTC', open_now: true, next_change_at: moments.closesAt,
    opening_hours: hours, pickup: { ready_at: moments.readyAt, days_from_today: 1 },
  });
  return (sub: SubRequest) => {
    switch (sub.path) {
      case 'recommendations':
        return {
          status: 200,
          body: {
            recommendation_id: 'home.00000000000000000000000000000001',
            items: [1, 2].map((i) => ({
              sku: `SKU-${i}`, title: `Produkt ${i}`, url: `/produkt/SKU-${i}`,
              image_url: 'data:image/gif;base64,R0lGODlhAQABAAAAACw=', price: money(123_456 + i), reason: { kind: 'popular' },
            })),
          },
        };
      case 'availability':
        return {
          status: 200,
          body: {
            sku: sub.params.get('sku'),
            origin: { source: 'postcode', postcode: '80802', country: 'DE', place: 'München' },
            stores: [store('schwabing', 'München-Schwabing', 1_234), store('ulm', 'Ulm Münsterplatz', 118_000)],
          },
        };
      case 'loyalty':
        return {
          status: 200,
          body: {
            status: 'member', balance: 12_345, value: money(12_345), tier: { name: 'Silber', multiplier_percent: 125 },
            next_tier: { name: 'Gold', threshold: 20_000, points_needed: 7_655 }, qualifying_points: 12_345,
            tier_window_days: 365,
            lines: [{ kind: 'accrual', points: 1_250, occurred_at: moments.boughtAt, channel: 'store', store_id: 'ulm', store_name: 'Ulm Münsterplatz' }],
          },
        };
      case 'cart-recovery':
        return {
          status: 200,
          body: {
            offer: {
              offer_id: 'offer-i18n', cart_url: '/warenkorb', last_activity_at: 1_790_000_000,
              lines: [{ sku: 'AH-1001', title: 'Wanderjacke Alpin', url: '/produkt/AH-1001', image_url: '/images/AH-1001.svg', quantity: 2, unit_price: money(1_234_550), available: true }],
              total: money(2_469_100),
              coupon: { code: 'ABCD-EFGH', value: money(0), percent: 15, points: 0, expires_at: 1_800_000_000 },
            },
          },
        };
      default:
        return { status: 404, body: { error: { code: 'not_found', message: 'not mocked' } } };
    }
  };
}

/**
 * A page with the three placeholders and a signed-in customer (so the cart recovery dialog
 * opens too), in `locale`, selling in `currency`; `script` and `placeholder` are extra
 * attributes (`data-text-*`). The script tag is the demo's, its data set as it is parsed.
 */
async function openPage(page: Page, locale: string, currency: string, script: Record<string, string> = {}, placeholders = '') {
  await mockBatch(page, answers(currency));
  await page.route('**/v1/cart-recovery/actions**', (route) => route.fulfill({ status: 204, headers: { 'access-control-allow-origin': '*' } }));
  await onScriptTag(page, { 'data-locale': locale, 'data-currency': currency, 'data-customer-token': 'K-I18N.1.ab', ...script });
  const url = await testPage(
    page,
    `/t/i18n-${locale}.html`,
    `<div data-vitrine="recommendations" data-limit="2" ${placeholders}></div>
     <div data-vitrine="availability" data-sku="AH-1001" ${placeholders}></div>
     <div data-vitrine="loyalty" data-lines="1" ${placeholders}></div>`,
  );
  await page.goto(url);
  await expect(page.locator('.vitrine-recs__price')).toHaveCount(2);
  await expect(page.locator('.vitrine-availability__sentence')).not.toBeEmpty();
  await expect(page.locator('.vitrine-loyalty__balance')).not.toBeEmpty();
  await expect(page.locator('#vitrine-cart-recovery dialog')).toBeVisible();
}

/** Intl's formats in the page, for `locale`: what the widgets must show. */
function formats(page: Page, locale: string, currency: string) {
  return page.evaluate(
    ({ locale, currency, moments }) => {
      const price = (major: number) => new Intl.NumberFormat(locale, { style: 'currency', currency }).format(major);
      return {
        prices: [1234.57, 1234.58].map(price),
        distance: new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilometer', maximumFractionDigits: 1 }).format(1.234),
        farDistance: new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilometer', maximumFractionDigits: 0 }).format(118),
        readyTime: new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(new Date(moments.readyAt)),
        closeTime: new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(new Date(moments.closesAt)),
        balance: new Intl.NumberFormat(locale).format(12_345),
        value: price(123.45),
        gained: new Intl.NumberFormat(locale, { signDisplay: 'exceptZero' }).format(1_250),
        boughtOn: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'numeric' }).format(moments.boughtAt * 1000),
        unitPrice: `${new Intl.NumberFormat(locale).format(2)} × ${price(12_345.5)}`,
        total: price(24_691),
        percent: new Intl.NumberFormat(locale, { style: 'percent' }).format(0.15),
        until: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'numeric', year: '2-digit' }).format(1_800_000_000_000),
      };
    },
    { locale, currency, moments },
  );
}

/** Every text in the widgets' shadow roots and their accessible names. */
function allTexts(page: Page): Promise<string> {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-vitrine], #vitrine-cart-recovery')]
      .map((host) => {
        const root = host.shadowRoot!;
        const labels = [...root.querySelectorAll('[aria-label], [aria-valuetext]')].map(
          (el) => `${el.getAttribute('aria-label') ?? ''} ${el.getAttribute('aria-valuetext') ?? ''}`,
        );
        return [root.textContent, ...labels].join(' ');
      })
      .join('\n'),
  );
}

for (const l of LOCALES) {
  test(`${l.locale}: the widgets speak the locale's language and format with its Intl`, async ({ page, log }) => {
    await openPage(page, l.locale, l.currency);
    const f = await formats(page, l.locale, l.currency);

    // Recommendations: heading, reason, button, prices in the shop's currency.
    await expect(page.locator('.vitrine-recs__heading')).toHaveText(l.popularHeading);
    await expect(page.locator('.vitrine-recs__price')).toHaveText(f.prices);
    await expect(page.locator('.vitrine-recs__reason').first()).toHaveText(l.reasonPopular);
    await expect(page.locator('.vitrine-recs__add').first()).toHaveText(l.addToCart);

    // Availability: pickup time on the store's clock, distances, opening, the field's label.
    await expect(page.locator('.vitrine-availability__heading')).toHaveText(l.availabilityHeading);
    await expect(page.locator('.vitrine-availability__sentence')).toHaveText(
      fill(l.pickupTomorrow, { time: f.readyTime, store: `München-Schwabing, ${f.distance}` }),
    );
    await expect(page.locator('.vitrine-availability__opening')).toHaveText(fill(l.openCloses, { time: f.closeTime }));
    await expect(page.locator('.vitrine-availability__store-distance')).toHaveText(f.farDistance);
    await expect(page.locator('[data-vitrine="availability"]').getByLabel(l.postcodeLabel, { exact: true })).toBeVisible();

    // Loyalty: points, their worth, a ledger line with its date.
    await expect(page.locator('.vitrine-loyalty__heading')).toHaveText(l.loyaltyHeading);
    await expect(page.locator('.vitrine-loyalty__balance')).toHaveText(`${f.balance} ${l.points}`);
    await expect(page.locator('.vitrine-loyalty__value')).toHaveText(fill(l.pointsValue, { value: f.value }));
    await expect(page.locator('.vitrine-loyalty__points')).toHaveText(`${f.gained} ${l.points}`);
    await expect(page.locator('.vitrine-loyalty__what')).toHaveText(fill(l.storePurchase, { store: 'Ulm Münsterplatz' }));
    await expect(page.locator('.vitrine-loyalty__date')).toHaveText(f.boughtOn);

    // The cart recovery dialog: quantity and price, sum, the coupon's percentage and date.
    const dialog = page.locator('#vitrine-cart-recovery dialog');
    await expect(dialog.locator('#vitrine-cart-heading')).toHaveText(l.recoveryHeading);
    await expect(dialog.locator('.vitrine-cart__price')).toHaveText(f.unitPrice);
    await expect(dialog.locator('.vitrine-cart__total')).toHaveText(fill(l.recoveryTotal, { total: f.total }));
    await expect(dialog.locator('.vitrine-cart__coupon p')).toContainText(f.percent);
    await expect(dialog.locator('.vitrine-cart__coupon p')).toContainText(f.until);
    await expect(dialog.getByRole('button', { name: l.recoveryClose, exact: true })).toBeVisible();
    await expect(dialog.locator('.vitrine-cart__back')).toHaveText(l.recoveryBack);

    if (l.locale == 'de-CH') expect(await allTexts(page)).not.toContain('ß');
    expect(log.errors).toEqual([]);
    expect(log.warnings).toEqual([]);
  });
}

test('data-text-* on a placeholder replaces its texts, keeping their placeholders; on the script tag, the dialog\'s', async ({ page, log }) => {
  await openPage(
    page,
    'de-DE',
    'EUR',
    { 'data-text-recovery-heading': 'Noch da: Ihr Einkauf', 'data-text-recovery-total': 'Zusammen {total}' },
    `data-text-availability-heading="Im Laden abholen" data-text-pickup-tomorrow="Ab morgen {time} für Sie bereit: {store}"
     data-text-loyalty-heading="Alpenhaus-Punkte" data-text-points="Bergpunkte"
     data-text-ledger-store-purchase="Filialeinkauf {store}"`,
  );
  const f = await formats(page, 'de-DE', 'EUR');
  await expect(page.locator('.vitrine-availability__heading')).toHaveText('Im Laden abholen');
  await expect(page.locator('.vitrine-availability__sentence')).toHaveText(
    `Ab morgen ${f.readyTime} für Sie bereit: München-Schwabing, ${f.distance}`,
  );
  // What is not replaced stays German.
  await expect(page.locator('.vitrine-availability__opening')).toHaveText(fill(GERMAN.openCloses, { time: f.closeTime }));
  await expect(page.locator('.vitrine-loyalty__heading')).toHaveText('Alpenhaus-Punkte');
  await expect(page.locator('.vitrine-loyalty__balance')).toHaveText(`${f.balance} Bergpunkte`);
  await expect(page.locator('.vitrine-loyalty__what')).toHaveText('Filialeinkauf Ulm Münsterplatz');
  const dialog = page.locator('#vitrine-cart-recovery dialog');
  await expect(dialog.locator('#vitrine-cart-heading')).toHaveText('Noch da: Ihr Einkauf');
  await expect(dialog.locator('.vitrine-cart__total')).toHaveText(`Zusammen ${f.total}`);
  await expect(dialog.locator('.vitrine-cart__back')).toHaveText(GERMAN.recoveryBack);

  // A single-page shop changes a placeholder: redrawn, the replacements still apply.
  await page.locator('[data-vitrine="loyalty"]').evaluate((el) => el.setAttribute('data-lines', '2'));
  await expect(page.locator('.vitrine-loyalty__heading')).toHaveText('Alpenhaus-Punkte');
  expect(log.errors).toEqual([]);
  expect(log.warnings).toEqual([]);
});

// Waits for the recommendations widget to take its texts with `Texts::for_placeholder` (one line
// in src/widgets/recommendations.rs `mount`: `let texts = Texts::for_placeholder(embed.texts,
// &placeholder);`), as the availability and loyalty widgets do.
test('the recommendations take data-text-popular-heading and data-text-add-to-cart from their placeholder', async ({ page }) => {
  await openPage(page, 'de-DE', 'EUR', {}, 'data-text-popular-heading="Unsere Lieblinge" data-text-add-to-cart="Merken"');
  await expect(page.locator('.vitrine-recs__heading')).toHaveText('Unsere Lieblinge');
  await expect(page.locator('.vitrine-recs__add').first()).toHaveText('Merken');
});

test('a data-text-* name that is no text is reported on the console and changes nothing', async ({ page, log }) => {
  await openPage(page, 'de-DE', 'EUR', {}, 'data-text-loyalty-headline="Punkte"');
  await expect(page.locator('.vitrine-loyalty__heading')).toHaveText(GERMAN.loyaltyHeading);
  await expect.poll(() => log.warnings.filter((w) => w.includes('[vitrine] no such text'))).not.toEqual([]);
  expect(log.warnings.every((w) => w.includes('LoyaltyHeadline'))).toBe(true);
});
