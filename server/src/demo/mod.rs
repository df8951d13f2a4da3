//! The demo shop "Alpenhaus": its keys, and its catalogue, stores, stock and purchase history
//! loaded from the storefront's own `catalogue.json` (the shop's data, imported as a shop
//! would import it). Loading is idempotent: restarting the demo keeps the data it had.

pub mod storefront;

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

use vitrine_types::catalogue::{ProductRow, StoreRow};
use vitrine_types::{Channel, EventBody, EventIn, PurchaseLine};

use crate::events::{self, Source, ValidEvent};
use crate::identity::profiles::{self, ProfileKey};
use crate::import::{self, Format, Kind};
use crate::privacy::HELD_PER_PROFILE;
use crate::shops::{self, NewShop};
use crate::storage::db::Db;

/// The demo shop's id.
pub const DEMO_SHOP_ID: &str = "demo";
/// The demo shop's publishable key; public by nature, and only ever valid for the demo.
pub const DEMO_PUBLISHABLE_KEY: &str = "pk_demo_alpenhaus";
/// The demo shop's secret key. Demo only: a real shop's secret key is generated and private.
pub const DEMO_SECRET_KEY: &str = "sk_demo_alpenhaus_not_for_production";

/// Number of synthetic orders of the purchase history.
const DEMO_ORDERS: usize = 600;

#[derive(Debug, Deserialize)]
struct Catalogue {
    shop: CatalogueShop,
    products: Vec<CatalogueProduct>,
    stores: Vec<StoreRow>,
}

#[derive(Debug, Deserialize)]
struct CatalogueShop {
    name: String,
}

#[derive(Debug, Deserialize)]
struct CatalogueProduct {
    sku: String,
    title: String,
    price_minor: i64,
    currency: String,
    category: String,
    /// Sizes sold under their own SKUs (stocked per store); the product page's picker
    /// switches the availability widget between them.
    #[serde(default)]
    variants: Vec<CatalogueVariant>,
}

#[derive(Debug, Deserialize)]
struct CatalogueVariant {
    sku: String,
    label: String,
}

impl CatalogueProduct {
    /// The product and each of its variants as catalogue rows; a variant links to its
    /// product's page and says which one it is in `attributes`.
    fn rows<'a>(&'a self, origin: &'a str) -> impl Iterator<Item = ProductRow> + 'a {
        let row = move |sku: &str, title: String, attributes| ProductRow {
            sku: sku.to_string(),
            title,
            price_minor: self.price_minor,
            currency: self.currency.clone(),
            url: format!("{origin}/produkt/{}", self.sku),
            image_url: format!("{origin}/images/{}.svg", self.sku),
            category: self.category.clone(),
            attributes,
        };
        std::iter::once(row(&self.sku, self.title.clone(), Default::default())).chain(
            self.variants.iter().map(move |variant| {
                let attributes = [
                    ("variant_of".to_string(), self.sku.clone()),
                    ("size".to_string(), variant.label.clone()),
                ];
                row(
                    &variant.sku,
                    format!("{}, Größe {}", self.title, variant.label),
                    attributes.into_iter().collect(),
                )
            }),
        )
    }
}

/// The demo shop's loyalty programme.
pub fn demo_programme() -> crate::loyalty::Programme {
    use vitrine_types::{EarnRate, LoyaltyProgram, Money, PointValue, RedemptionRule, TierRule};
    let tier = |name: &str, threshold, multiplier_percent| TierRule {
        name: name.into(),
        threshold,
        multiplier_percent,
    };
    let earn = |currency: &str| EarnRate {
        currency: currency.into(),
        points: 1,
        per_minor: 100,
    };
    crate::loyalty::Programme::parse(LoyaltyProgram {
        earn: vec![earn("EUR"), earn("CHF")],
        rounding: vitrine_types::Rounding::Down,
        excluded_categories: Vec::new(),
        tiers: vec![
            tier("Bronze", 0, 100),
            tier("Silber", 500, 125),
            tier("Gold", 2000, 150),
        ],
        tier_window_days: 365,
        expiry_days: Some(730),
        point_value: PointValue {
            points: 100,
            value: Money {
                amount_minor: 100,
                currency: "EUR".into(),
            },
        },
        redemption: RedemptionRule {
            min_points: 500,
            step_points: 100,
            coupon_validity_days: 90,
        },
        join_url: Some("/anmelden".into()),
    })
    .expect("the demo programme is valid")
}

/// The demo shop's cart recovery rules: after 30 idle minutes, carts from 20 € get a 10 %
/// coupon valid 7 days (one per customer in 30 days); the dialog at most 3 times a day and
/// not for 72 hours after a dismissal.
pub fn demo_cart_recovery_rules() -> crate::cart_recovery::Rules {
    use vitrine_types::{CartRecoveryRules, CouponRule, Money};
    crate::cart_recovery::Rules::parse(CartRecoveryRules {
        idle_minutes: 30,
        min_cart_value: Some(Money {
            amount_minor: 2000,
            currency: "EUR".into(),
        }),
        coupon: Some(CouponRule {
            amount: None,
            percent: Some(10),
            validity_days: 7,
        }),
        coupon_once_per_days: 30,
        max_shows: 3,
        show_window_hours: 24,
        quiet_hours_after_dismiss: 72,
        cart_url: "/warenkorb".into(),
        coupons_for_anonymous: false,
        max_coupons_per_day: 500,
    })
    .expect("the demo rules are valid")
}

/// Creates or updates the demo shop and its data. `storefront_origins` are the origins the
/// storefront is reached at: the first one makes the product and image URLs.
pub async fn load(
    db: &Db,
    master_key: &crate::storage::keyring::MasterKey,
    storefront_dir: &Path,
    storefront_origins: &[String],
    now: i64,
) -> anyhow::Result<()> {
    let path = storefront_dir.join("catalogue.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the demo catalogue {}", path.display()))?;
    let catalogue: Catalogue = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a valid demo catalogue", path.display()))?;
    let origin = storefront_origins
        .first()
        .context("the demo needs a storefront origin")?;

    shops::upsert(
        db,
        master_key,
        &NewShop {
            id: DEMO_SHOP_ID,
            name: &catalogue.shop.name,
            publishable_key: DEMO_PUBLISHABLE_KEY,
            secret_key: DEMO_SECRET_KEY,
            allowed_origins: storefront_origins,
        },
        now,
    )
    .await?;

    // Shoppers who give no place see stores by distance from Munich, where most stores are.
    shops::configure_availability(db, DEMO_SHOP_ID, Some(3), Some(Some(("DE", "80331")))).await?;

    // Points: 1 per euro (franc in Switzerland), tiers over a year, 100 points = 1 €.
    let mut tx = crate::storage::db::begin_write(db).await?;
    crate::loyalty::set_programme(&mut tx, DEMO_SHOP_ID, Some(&demo_programme())).await?;
    crate::cart_recovery::set_rules(&mut tx, DEMO_SHOP_ID, Some(&demo_cart_recovery_rules()))
        .await?;
    tx.commit().await?;

    // The shop's catalogue and stores go in as any shop's would: through the importer.
    let products: Vec<ProductRow> = catalogue
        .products
        .iter()
        .flat_map(|product| product.rows(origin))
        .collect();
    import_rows(db, Kind::Products, &products).await?;
    import_rows(db, Kind::Stores, &catalogue.stores).await?;
    let mut tx = crate::storage::db::begin_write(db).await?;
    let history: Option<(i64,)> =
        sqlx::query_as("SELECT CAST(1 AS BIGINT) FROM purchase_lines WHERE shop_id = $1 LIMIT 1")
            .bind(DEMO_SHOP_ID)
            .fetch_optional(&mut *tx)
            .await?;
    if history.is_none() {
        insert_stock(&mut tx, &catalogue).await?;
        insert_history(&mut tx, &catalogue, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Imports `rows` as NDJSON; any refused row is an error in the demo data.
async fn import_rows<T: serde::Serialize>(db: &Db, kind: Kind, rows: &[T]) -> anyhow::Result<()> {
    let ndjson: String = rows
        .iter()
        .map(|row| serde_json::to_string(row).expect("wire types serialise") + "\n")
        .collect();
    let result = import::import(db, DEMO_SHOP_ID, kind, Format::Ndjson, ndjson.as_bytes()).await?;
    if let Some(error) = result.errors.first() {
        anyhow::bail!("demo catalogue line {}: {}", error.line, error.message);
    }
    Ok(())
}

/// Stock for every store and SKU; about one in six is sold out, so availability varies. Sizes
/// get their own draw (few large sizes), so that switching sizes changes the answer.
async fn insert_stock(tx: &mut sqlx::AnyConnection, catalogue: &Catalogue) -> sqlx::Result<()> {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut sizes = fastrand::Rng::with_seed(11);
    for store in &catalogue.stores {
        for product in &catalogue.products {
            let quantity = if rng.u8(0..6) == 0 { 0 } else { rng.i64(1..15) };
            insert_stock_row(tx, &store.store_id, &product.sku, quantity).await?;
            let count = product.variants.len();
            for (position, variant) in product.variants.iter().enumerate() {
                // The largest size is mostly sold out, the next one often low.
                let quantity = match count - position {
                    1 => i64::from(sizes.u8(0..4) == 0),
                    2 => sizes.i64(0..4),
                    _ => sizes.i64(0..12),
                };
                insert_stock_row(tx, &store.store_id, &variant.sku, quantity).await?;
            }
        }
    }
    Ok(())
}

async fn insert_stock_row(
    tx: &mut sqlx::AnyConnection,
    store_id: &str,
    sku: &str,
    quantity: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO stock (shop_id, store_id, sku, quantity) VALUES ($1, $2, $3, $4)")
        .bind(DEMO_SHOP_ID)
        .bind(store_id)
        .bind(sku)
        .bind(quantity)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Sixty days of orders, online and at the tills, with a skewed popularity so that "popular"
/// means something; deterministic apart from being anchored at `now`. Orders of known
/// customers go through event ingestion, as a shop's import would; anonymous till receipts
/// only count as sales.
async fn insert_history(
    tx: &mut sqlx::AnyConnection,
    catalogue: &Catalogue,
    now: i64,
) -> sqlx::Result<()> {
    let mut rng = fastrand::Rng::with_seed(42);
    let products = &catalogue.products;
    let mut ranking: Vec<usize> = (0..products.len()).collect();
    rng.shuffle(&mut ranking);
    for order in 0..DEMO_ORDERS {
        let in_store = rng.u8(0..10) < 4;
        let store = in_store.then(|| {
            catalogue.stores[rng.usize(0..catalogue.stores.len())]
                .store_id
                .clone()
        });
        let customer = (rng.u8(0..10) < 7).then(|| format!("K-{}", 1001 + rng.u16(0..60)));
        let purchased_at = now - rng.i64(0..60 * 24 * 3600);
        let lines: Vec<PurchaseLine> = (0..rng.usize(1..4))
            .map(|_| {
                // The minimum of two draws skews towards the front of the (shuffled) ranking.
                let rank = rng
                    .usize(0..products.len())
                    .min(rng.usize(0..products.len()));
                let product = &products[ranking[rank]];
                PurchaseLine {
                    sku: product.sku.clone(),
                    quantity: rng.i64(1..3),
                    unit_price_minor: product.price_minor,
                }
            })
            .collect();
        let order_id = format!("DEMO-{order:05}");
        let channel = if in_store {
            Channel::Store
        } else {
            Channel::Web
        };
        match customer {
            Some(customer) => {
                let event = EventIn {
                    id: format!("demo-{order:05}"),
                    occurred_at: Some(purchased_at),
                    customer_id: Some(customer.clone()),
                    card: None,
                    visitor_id: None,
                    body: EventBody::Purchase {
                        order_id,
                        channel,
                        store_id: store,
                        receipt_id: None,
                        currency: "EUR".into(),
                        lines,
                    },
                };
                let event = ValidEvent::parse(event, now)
                    .map_err(|err| sqlx::Error::Protocol(format!("demo event: {err}")))?;
                let keys = [ProfileKey::Customer(customer)];
                let profile = profiles::resolve(tx, DEMO_SHOP_ID, &keys, now, HELD_PER_PROFILE)
                    .await?
                    .profile;
                crate::import::ingest::store(
                    tx,
                    DEMO_SHOP_ID,
                    &profile,
                    Source::Server,
                    &event,
                    now,
                )
                .await?;
            }
            None => {
                let sale = events::Sale {
                    order_id: &order_id,
                    channel,
                    store_id: store.as_deref(),
                    currency: "EUR",
                    customer_id: None,
                    profile: None,
                    purchased_at,
                    lines: &lines,
                };
                events::record_sales(tx, DEMO_SHOP_ID, &[sale]).await?;
            }
        }
    }
    Ok(())
}
