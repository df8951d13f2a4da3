//! Store availability: for a SKU, which stores have it, how far away they are, whether they
//! are open, and when a click & collect order would be ready — ordered as a shopper decides:
//! her usual store first, then stores that have it by distance, then the rest by distance.
//!
//! The stores of a shop (with their parsed opening hours) and its settings are cached per
//! shop and reloaded after a store import through this process or after [`REFRESH`]
//! (another instance's import); stock is read per request (one indexed query).

pub mod postcodes;

pub mod hours;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use geo::{Distance, Haversine, Point};
use sqlx::AnyConnection;
use vitrine_types::{
    AvailabilityOrigin, AvailabilityResponse, OpeningHours, OriginSource, Pickup, StockLevel,
    StoreAvailability,
};

use crate::storage::db::Db;
use hours::StoreHours;
use postcodes::Place;

/// How long a shop's stores are served from the cache before they are read again.
pub const REFRESH: Duration = Duration::from_secs(30);

/// Every shop's stores, loaded on first use.
#[derive(Default)]
pub struct Availability {
    shops: Mutex<HashMap<String, Arc<ShopStores>>>,
}

/// One shop's stores and availability settings.
#[derive(Debug)]
pub struct ShopStores {
    loaded: Instant,
    stores: Vec<Store>,
    /// Stock below this (and above zero) is `low`.
    low_stock_threshold: i64,
    /// Where distances are measured from when the shopper gave no place.
    default_region: Option<&'static Place>,
    /// Countries of the shop's stores, most stores first: an ambiguous postcode is read as
    /// one of these.
    countries: Vec<&'static str>,
}

/// A store as availability answers need it.
#[derive(Debug)]
pub struct Store {
    id: String,
    name: String,
    street: String,
    postcode: String,
    city: String,
    country: String,
    point: Point,
    timezone: String,
    opening_hours: OpeningHours,
    hours: StoreHours,
    preparation_minutes: u32,
}

impl Availability {
    /// The shop's stores, read again when stale.
    pub async fn shop(&self, db: &Db, shop_id: &str) -> anyhow::Result<Arc<ShopStores>> {
        let cached = self
            .shops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(shop_id)
            .filter(|shop| shop.loaded.elapsed() < REFRESH)
            .cloned();
        if let Some(shop) = cached {
            return Ok(shop);
        }
        let shop = Arc::new(load(db, shop_id).await?);
        self.shops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(shop_id.to_string(), shop.clone());
        Ok(shop)
    }

    /// Stores or shop settings changed through this process: read them on the next request.
    pub fn stores_changed(&self, shop_id: &str) {
        self.shops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(shop_id);
    }
}

impl ShopStores {
    /// Countries of the shop's stores, most stores first.
    pub fn countries(&self) -> &[&'static str] {
        &self.countries
    }

    /// The shop's default region, if it has one.
    pub fn default_region(&self) -> Option<&'static Place> {
        self.default_region
    }

    /// The shop's store `store_id`.
    fn store(&self, store_id: &str) -> Option<&Store> {
        self.stores.iter().find(|store| store.id == store_id)
    }
}

async fn load(db: &Db, shop_id: &str) -> anyhow::Result<ShopStores> {
    type StoreColumns = (
        String,
        String,
        String,
        String,
        String,
        String,
        f64,
        f64,
        String,
        String,
        i64,
    );
    let rows: Vec<StoreColumns> = sqlx::query_as(
        "SELECT store_id, name, street, postcode, city, country, lat, lon, timezone,
                opening_hours, pickup_preparation_minutes
         FROM stores WHERE shop_id = $1 ORDER BY store_id",
    )
    .bind(shop_id)
    .fetch_all(db)
    .await?;
    let mut stores = Vec::with_capacity(rows.len());
    for (id, name, street, postcode, city, country, lat, lon, timezone, hours, preparation) in rows
    {
        // Both were checked when imported; a row that fails now is a bug worth an error.
        let tz: chrono_tz::Tz = timezone
            .parse()
            .map_err(|_| anyhow::anyhow!("store {id}: bad time zone `{timezone}`"))?;
        let opening_hours: OpeningHours = serde_json::from_str(&hours)?;
        stores.push(Store {
            hours: StoreHours::new(tz, &opening_hours),
            point: Point::new(lon, lat),
            id,
            name,
            street,
            postcode,
            city,
            country,
            timezone,
            opening_hours,
            preparation_minutes: u32::try_from(preparation).unwrap_or(0),
        });
    }
    let (threshold, default_country, default_postcode): (i64, Option<String>, Option<String>) =
        sqlx::query_as(
            "SELECT low_stock_threshold, default_country, default_postcode FROM shops WHERE id = $1",
        )
        .bind(shop_id)
        .fetch_one(db)
        .await?;
    let mut by_country: HashMap<&'static str, usize> = HashMap::new();
    for store in &stores {
        if let Some(country) = postcodes::COUNTRIES
            .into_iter()
            .find(|c| *c == store.country)
        {
            *by_country.entry(country).or_default() += 1;
        }
    }
    let mut countries: Vec<_> = by_country.into_iter().collect();
    countries.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let default_region = match (&default_country, &default_postcode) {
        (Some(country), Some(postcode)) => postcodes::lookup(postcode, Some(country), &[]).ok(),
        _ => None,
    };
    Ok(ShopStores {
        loaded: Instant::now(),
        stores,
        low_stock_threshold: threshold,
        default_region,
        countries: countries.into_iter().map(|(country, _)| country).collect(),
    })
}

/// Stock of `sku` in the stores of `ranking`, read nearest first in growing chunks until
/// `limit` stores with stock are found (or every store was read): a store further away can
/// only come after those, so its stock does not matter. Stores left unread are missing from
/// the map, as stores without the SKU are.
pub async fn stock_of_nearest(
    conn: &mut AnyConnection,
    shop_id: &str,
    sku: &str,
    ranking: &Ranking<'_>,
    limit: usize,
) -> sqlx::Result<HashMap<String, i64>> {
    let mut stock = HashMap::new();
    let (mut read, mut with_stock) = (0, 0);
    let mut chunk = (limit * 4).max(20);
    while read < ranking.order.len() && with_stock < limit {
        let stores = &ranking.order[read..(read + chunk).min(ranking.order.len())];
        let params = crate::storage::db::Params::of(conn);
        let sql = format!(
            "SELECT store_id, quantity FROM stock
             WHERE shop_id = {} AND sku = {} AND store_id IN ({})",
            params.one(1),
            params.one(2),
            params.list(3, stores.len())
        );
        let mut query = sqlx::query_as::<_, (String, i64)>(&sql)
            .bind(shop_id)
            .bind(sku);
        for (store, _) in stores {
            query = query.bind(&store.id);
        }
        for (store, quantity) in query.fetch_all(&mut *conn).await? {
            with_stock += usize::from(quantity > 0);
            stock.insert(store, quantity);
        }
        read += stores.len();
        chunk *= 4;
    }
    Ok(stock)
}

/// The store of most of these profiles' till receipts (ties: the most recent receipt, then
/// the store id); `None` without in-store purchases.
pub async fn usual_store(
    conn: &mut AnyConnection,
    shop_id: &str,
    profiles: &[String],
) -> sqlx::Result<Option<String>> {
    let mut counts: HashMap<String, (i64, i64)> = HashMap::new();
    for profile in profiles {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT store_id, COUNT(DISTINCT order_id), MAX(purchased_at) FROM purchase_lines
             WHERE shop_id = $1 AND profile_id = $2 AND channel = 'store'
               AND store_id IS NOT NULL
             GROUP BY store_id",
        )
        .bind(shop_id)
        .bind(profile)
        .fetch_all(&mut *conn)
        .await?;
        for (store, receipts, last) in rows {
            let entry = counts.entry(store).or_default();
            entry.0 += receipts;
            entry.1 = entry.1.max(last);
        }
    }
    Ok(counts
        .into_iter()
        .max_by(|(a_store, a), (b_store, b)| a.cmp(b).then_with(|| b_store.cmp(a_store)))
        .map(|(store, _)| store))
}

/// Where the shopper is, as the request says it.
#[derive(Debug, Clone, PartialEq)]
pub enum Whereabouts {
    /// Coordinates from the browser.
    Coordinates {
        /// Latitude, degrees north.
        lat: f64,
        /// Longitude, degrees east.
        lon: f64,
    },
    /// A postcode the shopper typed, placed by the shipped table.
    Postcode(&'static Place),
    /// Nothing: the usual store, else the shop's default region.
    Unknown,
}

/// A shop's stores in the order of the shopper's place: the usual store first, then by
/// distance (without a place: by name), equal ones by store id. Stock decides the rest.
pub struct Ranking<'a> {
    origin: AvailabilityOrigin,
    usual: Option<&'a Store>,
    order: Vec<(&'a Store, Option<f64>)>,
}

/// Orders the shop's stores for `whereabouts` and the caller's `usual` store.
pub fn rank<'a>(
    shop: &'a ShopStores,
    whereabouts: &Whereabouts,
    usual: Option<&str>,
) -> Ranking<'a> {
    let usual = usual.and_then(|id| shop.store(id));
    let origin = match whereabouts {
        Whereabouts::Coordinates { lat, lon } => AvailabilityOrigin {
            source: OriginSource::Coordinates,
            lat: Some(*lat),
            lon: Some(*lon),
            postcode: None,
            country: None,
            place: None,
        },
        Whereabouts::Postcode(place) => place_origin(OriginSource::Postcode, place),
        Whereabouts::Unknown => match (usual, shop.default_region) {
            (Some(store), _) => AvailabilityOrigin {
                source: OriginSource::UsualStore,
                lat: Some(store.point.y()),
                lon: Some(store.point.x()),
                postcode: Some(store.postcode.clone()),
                country: Some(store.country.clone()),
                place: Some(store.city.clone()),
            },
            (None, Some(place)) => place_origin(OriginSource::DefaultRegion, place),
            (None, None) => AvailabilityOrigin {
                source: OriginSource::None,
                lat: None,
                lon: None,
                postcode: None,
                country: None,
                place: None,
            },
        },
    };
    let from = origin
        .lat
        .zip(origin.lon)
        .map(|(lat, lon)| Point::new(lon, lat));
    let mut order: Vec<(&Store, Option<f64>)> = shop
        .stores
        .iter()
        .map(|store| {
            (
                store,
                from.map(|from| Haversine.distance(from, store.point)),
            )
        })
        .collect();
    let is_usual = |store: &Store| usual.is_some_and(|usual| usual.id == store.id);
    order.sort_unstable_by(|a, b| {
        is_usual(b.0)
            .cmp(&is_usual(a.0))
            .then_with(|| match (a.1, b.1) {
                (Some(a), Some(b)) => a.total_cmp(&b),
                _ => a.0.name.cmp(&b.0.name),
            })
            .then_with(|| a.0.id.cmp(&b.0.id))
    });
    Ranking {
        origin,
        usual,
        order,
    }
}

/// The answer for `sku` given its `stock` per store: the ranking's usual store first, then
/// stores with stock, then stores without, each group in ranking order; at most `limit`.
pub fn answer(
    shop: &ShopStores,
    ranking: Ranking<'_>,
    sku: &str,
    stock: &HashMap<String, i64>,
    limit: usize,
    now: i64,
) -> AvailabilityResponse {
    let level = |store: &Store| match stock.get(&store.id).copied().unwrap_or(0) {
        q if q <= 0 => StockLevel::Out,
        q if q < shop.low_stock_threshold => StockLevel::Low,
        _ => StockLevel::InStock,
    };
    let is_usual = |store: &Store| ranking.usual.is_some_and(|usual| usual.id == store.id);
    // The usual store, then stores with stock, then the rest, each in ranking order (distance,
    // then id); the walk stops once `limit` stores with stock are found.
    let mut first = Vec::with_capacity(limit);
    let mut without = Vec::new();
    for &(store, distance) in &ranking.order {
        if first.len() >= limit {
            break;
        }
        let entry = (store, level(store), distance);
        if is_usual(store) || entry.1 != StockLevel::Out {
            first.push(entry);
        } else if without.len() < limit {
            without.push(entry);
        }
    }
    let order = first.into_iter().chain(without);
    let stores = order
        .into_iter()
        .take(limit)
        .map(|(store, stock, distance)| {
            let pickup = (stock != StockLevel::Out)
                .then(|| store.hours.pickup_ready(now, store.preparation_minutes))
                .flatten()
                .map(|ready| Pickup {
                    days_from_today: u32::try_from(
                        (ready.date_naive() - store.hours.date(now)).num_days(),
                    )
                    .unwrap_or(0),
                    ready_at: ready.to_rfc3339(),
                });
            StoreAvailability {
                store_id: store.id.clone(),
                name: store.name.clone(),
                street: store.street.clone(),
                postcode: store.postcode.clone(),
                city: store.city.clone(),
                country: store.country.clone(),
                usual: is_usual(store),
                distance_m: distance.map(|metres| metres.round() as u32),
                stock,
                timezone: store.timezone.clone(),
                open_now: store.hours.is_open(now),
                next_change_at: store.hours.next_change(now).map(|at| at.to_rfc3339()),
                opening_hours: store.opening_hours.clone(),
                pickup,
            }
        })
        .collect();
    AvailabilityResponse {
        sku: sku.to_string(),
        origin: ranking.origin,
        stores,
    }
}

/// The first store of `ranking` (the usual store, then by distance) that `has_all` says
/// holds the whole cart and where a click & collect order placed `now` is ready today, in
/// the store's own calendar.
pub fn pickup_today(
    ranking: &Ranking<'_>,
    now: i64,
    has_all: impl Fn(&str) -> bool,
) -> Option<vitrine_types::CartPickup> {
    ranking.order.iter().find_map(|&(store, distance)| {
        if !has_all(&store.id) {
            return None;
        }
        let ready = store.hours.pickup_ready(now, store.preparation_minutes)?;
        (ready.date_naive() == store.hours.date(now)).then(|| vitrine_types::CartPickup {
            store_id: store.id.clone(),
            name: store.name.clone(),
            city: store.city.clone(),
            distance_km: distance.map(|metres| (metres / 100.0).round() / 10.0),
            ready_at: ready.to_rfc3339(),
        })
    })
}

fn place_origin(source: OriginSource, place: &Place) -> AvailabilityOrigin {
    AvailabilityOrigin {
        source,
        lat: Some(place.lat),
        lon: Some(place.lon),
        postcode: Some(place.postcode.clone()),
        country: Some(place.country.to_string()),
        place: Some(place.place.clone()),
    }
}
