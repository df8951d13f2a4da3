//! `GET /v1/availability`: the order of stores (usual store first, then stores with stock by
//! distance, then the rest), places from coordinates, postcodes or nothing, and every bad
//! query refused. Runs on the second test shop with stores and stock imported here, so every
//! figure is known.

use axum::http::StatusCode;
use serde_json::{json, Value};
use vitrine_server::{identity, shops, unix_now};

use crate::events::bulk;
use crate::helpers::{assert_error, spawn_app, TestApp, OTHER_SHOP_KEY};

const SECRET: &str = "sk_test_other_shop";
const SHOP: &str = "other";
const VISITOR: &str = "v_availability_0123456789";
/// Marienplatz, München.
const MUNICH: (f64, f64) = (48.1374, 11.5755);

/// Open every day round the clock, so open-now and pickup do not depend on when tests run.
fn always_open() -> Value {
    let day = json!([["00:00", "24:00"]]);
    json!({"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day})
}

fn store(id: &str, name: &str, country: &str, (lat, lon): (f64, f64), hours: Value) -> Value {
    let timezone = if country == "AT" {
        "Europe/Vienna"
    } else {
        "Europe/Berlin"
    };
    json!({"store_id": id, "name": name, "street": "Hauptstraße 1", "postcode": "00000",
           "city": name, "country": country, "lat": lat, "lon": lon, "timezone": timezone,
           "opening_hours": hours, "pickup_preparation_minutes": 30})
}

async fn import(app: &TestApp, path: &str, rows: &[Value]) {
    let body: String = rows.iter().map(|row| format!("{row}\n")).collect();
    let auth = format!("Bearer {SECRET}");
    let answer = app
        .post(
            path,
            &[
                ("authorization", &auth),
                ("content-type", "application/x-ndjson"),
            ],
            body,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    assert_eq!(answer.json()["errors"], json!([]), "{}", answer.json());
}

/// Four stores around Munich and Salzburg and one product, `JACKE`, stocked: none in Munich,
/// 2 in Augsburg (low: the threshold is 3), 10 in Ulm, 5 in Salzburg.
async fn shop_with_stores() -> TestApp {
    let app = spawn_app().await;
    import(
        &app,
        "/v1/stores",
        &[
            store("muc", "München Marienplatz", "DE", MUNICH, always_open()),
            store("aug", "Augsburg", "DE", (48.3705, 10.8978), always_open()),
            store("ulm", "Ulm", "DE", (48.3984, 9.9916), always_open()),
            store("sbg", "Salzburg", "AT", (47.8003, 13.0440), always_open()),
        ],
    )
    .await;
    import(
        &app,
        "/v1/products",
        &[json!({"sku": "JACKE", "title": "Jacke", "price_minor": 9900, "currency": "EUR",
                 "url": "https://other-shop.example/jacke", "image_url": "https://other-shop.example/jacke.png",
                 "category": "jacken"})],
    )
    .await;
    let stock = [("muc", 0), ("aug", 2), ("ulm", 10), ("sbg", 5)];
    import(
        &app,
        "/v1/stock",
        &stock.map(
            |(store, quantity)| json!({"store_id": store, "sku": "JACKE", "quantity": quantity}),
        ),
    )
    .await;
    app
}

async fn availability(app: &TestApp, query: &str) -> Value {
    let answer = app
        .get(&format!(
            "/v1/availability?key={OTHER_SHOP_KEY}&sku=JACKE&{query}"
        ))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.json());
    answer.json()
}

fn ids(answer: &Value) -> Vec<&str> {
    answer["stores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|store| store["store_id"].as_str().unwrap())
        .collect()
}

fn near_munich() -> String {
    format!("lat={}&lon={}", MUNICH.0, MUNICH.1)
}

#[tokio::test]
async fn stores_with_stock_come_before_nearer_stores_without() {
    let app = shop_with_stores().await;
    let answer = availability(&app, &near_munich()).await;
    // Munich is nearest but has none: it comes after every store that has the jacket.
    assert_eq!(ids(&answer), ["aug", "sbg", "ulm", "muc"]);
    let stores = answer["stores"].as_array().unwrap();
    assert_eq!(
        stores
            .iter()
            .map(|s| s["stock"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["low", "in_stock", "in_stock", "out"]
    );
    // Great-circle distances: Augsburg is about 57 km from Marienplatz, Munich itself 0.
    let augsburg_km = stores[0]["distance_m"].as_u64().unwrap() as f64 / 1000.0;
    assert!((55.0..60.0).contains(&augsburg_km), "{augsburg_km} km");
    assert_eq!(stores[3]["distance_m"], 0);
    assert_eq!(answer["origin"]["source"], "coordinates");
    // In stock: ready after the 30 minutes of preparation (rounded to the quarter hour),
    // today; out of stock: no pickup at all.
    let ready =
        chrono::DateTime::parse_from_rfc3339(stores[0]["pickup"]["ready_at"].as_str().unwrap())
            .unwrap();
    let wait = ready.timestamp() - unix_now();
    assert!((29 * 60..=45 * 60).contains(&wait), "ready in {wait} s");
    assert_eq!(ready.timestamp() % (15 * 60), 0, "{ready}");
    assert!(stores[0]["pickup"]["days_from_today"].as_u64().unwrap() <= 1);
    assert_eq!(stores[3].get("pickup"), None);
    assert!(stores
        .iter()
        .all(|s| s["open_now"] == true && s.get("next_change_at").is_none()));
    assert_eq!(
        stores[0]["opening_hours"]["sun"],
        json!([["00:00", "24:00"]])
    );
    assert_eq!(stores[3]["timezone"], "Europe/Berlin");
    assert_eq!(stores[1]["timezone"], "Europe/Vienna");
}

#[tokio::test]
async fn equal_distances_are_ordered_by_store_id_and_limit_cuts_the_list() {
    let app = shop_with_stores().await;
    import(
        &app,
        "/v1/stores",
        &[store(
            "aug-2",
            "Augsburg Zwei",
            "DE",
            (48.3705, 10.8978),
            always_open(),
        )],
    )
    .await;
    import(
        &app,
        "/v1/stock",
        &[json!({"store_id": "aug-2", "sku": "JACKE", "quantity": 2})],
    )
    .await;
    // The store imported through this process shows at once.
    let answer = availability(&app, &format!("{}&limit=3", near_munich())).await;
    assert_eq!(ids(&answer), ["aug", "aug-2", "sbg"]);
}

#[tokio::test]
async fn the_usual_store_of_her_till_receipts_comes_first() {
    let app = shop_with_stores().await;
    let token = identity::sign(SECRET, "K-9", unix_now() + 600);
    // Two receipts in Ulm, one in Salzburg, one web order: Ulm is her store.
    for (order, channel, store) in [
        ("R1", "store", Some("ulm")),
        ("R2", "store", Some("ulm")),
        ("R3", "store", Some("sbg")),
        ("W1", "web", None),
    ] {
        let mut event = json!({"id": order, "type": "purchase", "customer_id": "K-9", "order_id": order,
            "channel": channel, "currency": "EUR",
            "lines": [{"sku": "JACKE", "quantity": 1, "unit_price_minor": 9900}]});
        if let Some(store) = store {
            event["store_id"] = json!(store);
        }
        assert_eq!(
            bulk(&app, SECRET, event.to_string()).await.json()["stored"],
            1
        );
    }
    let signed_in = format!("visitor_id={VISITOR}&customer_token={token}");
    // The shop is opt-in: before she allows personalisation, her receipts are not used.
    let before = availability(&app, &format!("{}&{signed_in}", near_munich())).await;
    assert_eq!(ids(&before), ["aug", "sbg", "ulm", "muc"]);
    let consent = app
        .post(
            &format!("/v1/consent?key={OTHER_SHOP_KEY}"),
            &[("content-type", "application/json")],
            json!({"visitor_id": VISITOR, "customer_token": token, "tracking": true,
                   "personalisation": true, "source": "banner"})
            .to_string(),
        )
        .await;
    assert_eq!(consent.status, StatusCode::OK, "{}", consent.json());
    let answer = availability(&app, &format!("{}&{signed_in}", near_munich())).await;
    assert_eq!(ids(&answer), ["ulm", "aug", "sbg", "muc"]);
    assert_eq!(answer["stores"][0]["usual"], true);
    assert_eq!(answer["stores"][1]["usual"], false);
    // Without a place, distances are measured from her usual store.
    let from_usual = availability(&app, &signed_in).await;
    assert_eq!(from_usual["origin"]["source"], "usual_store");
    assert_eq!(ids(&from_usual)[0], "ulm");
    assert_eq!(from_usual["stores"][0]["distance_m"], 0);
    // Another visitor (or an anonymous one) does not get her store first.
    let stranger = availability(
        &app,
        &format!("{}&visitor_id=v_someone_else_01234", near_munich()),
    )
    .await;
    assert_eq!(ids(&stranger), ["aug", "sbg", "ulm", "muc"]);
}

#[tokio::test]
async fn a_postcode_is_placed_by_the_shipped_table() {
    let app = shop_with_stores().await;
    let salzburg = availability(&app, "postcode=5020").await;
    assert_eq!(ids(&salzburg)[0], "sbg");
    assert_eq!(
        salzburg["origin"],
        json!({"source": "postcode", "lat": 47.7994, "lon": 13.044, "postcode": "5020",
               "country": "AT", "place": "Salzburg"})
    );
    let ulm = availability(&app, "postcode=89073&country=DE").await;
    assert_eq!(ids(&ulm), ["ulm", "aug", "sbg", "muc"]);
    // 1010 is Wien and Lausanne: the shop's stores are in DE and AT, so Wien; CH if asked.
    assert_eq!(
        availability(&app, "postcode=1010").await["origin"]["place"],
        "Wien, Innere Stadt"
    );
    assert_eq!(
        availability(&app, "postcode=1010&country=CH").await["origin"]["place"],
        "Lausanne"
    );
}

#[tokio::test]
async fn without_a_place_the_default_region_then_the_names_decide() {
    let app = shop_with_stores().await;
    // No default region: no distances; stores with stock first, then by name.
    let answer = availability(&app, "").await;
    assert_eq!(answer["origin"], json!({"source": "none"}));
    assert_eq!(ids(&answer), ["aug", "sbg", "ulm", "muc"]);
    assert!(answer["stores"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s.get("distance_m").is_none()));
    shops::configure_availability(&app.db, SHOP, Some(6), Some(Some(("DE", "89073"))))
        .await
        .unwrap();
    app.state.availability.stores_changed(SHOP);
    let answer = availability(&app, "").await;
    assert_eq!(answer["origin"]["source"], "default_region");
    assert_eq!(answer["origin"]["place"], "Ulm");
    assert_eq!(ids(&answer), ["ulm", "aug", "sbg", "muc"]);
    // The threshold moved to 6: Salzburg's 5 are now low.
    assert_eq!(answer["stores"][2]["stock"], "low");
}

#[tokio::test]
async fn opening_hours_and_pickup_follow_the_stores_clock() {
    let app = shop_with_stores().await;
    // A store that never opens has the jacket but no pickup time and is never open.
    import(
        &app,
        "/v1/stores",
        &[store("closed", "Geschlossen", "DE", MUNICH, json!({}))],
    )
    .await;
    import(
        &app,
        "/v1/stock",
        &[json!({"store_id": "closed", "sku": "JACKE", "quantity": 9})],
    )
    .await;
    let answer = availability(&app, &format!("{}&limit=10", near_munich())).await;
    let closed = answer["stores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["store_id"] == "closed")
        .unwrap();
    assert_eq!(
        (
            closed["open_now"].clone(),
            closed.get("pickup"),
            closed.get("next_change_at")
        ),
        (json!(false), None, None)
    );
    assert_eq!(closed["stock"], "in_stock");
}

#[tokio::test]
async fn unknown_skus_and_postcodes_are_404_and_bad_queries_400() {
    let app = shop_with_stores().await;
    let key = OTHER_SHOP_KEY;
    let unknown = app
        .get(&format!("/v1/availability?key={key}&sku=NOPE"))
        .await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "unknown_sku");
    let nowhere = app
        .get(&format!(
            "/v1/availability?key={key}&sku=JACKE&postcode=00000"
        ))
        .await;
    assert_error(&nowhere, StatusCode::NOT_FOUND, "unknown_postcode");
    let wrong_country = app
        .get(&format!(
            "/v1/availability?key={key}&sku=JACKE&postcode=80331&country=AT"
        ))
        .await;
    assert_error(&wrong_country, StatusCode::NOT_FOUND, "unknown_postcode");
    for query in [
        "",
        "sku=",
        "sku=JACKE&lat=91&lon=0",
        "sku=JACKE&lat=-90.5&lon=0",
        "sku=JACKE&lat=48&lon=181",
        "sku=JACKE&lat=48",
        "sku=JACKE&lon=11",
        "sku=JACKE&lat=NaN&lon=11",
        "sku=JACKE&lat=inf&lon=11",
        "sku=JACKE&lat=abc&lon=11",
        "sku=JACKE&lat=48&lon=11&postcode=80331",
        "sku=JACKE&country=DE",
        "sku=JACKE&postcode=75001&country=FR",
        "sku=JACKE&postcode=",
        "sku=JACKE&postcode=12345678901234567",
        "sku=JACKE&limit=0",
        "sku=JACKE&limit=51",
        "sku=JACKE&visitor_id=short",
    ] {
        let answer = app
            .get(&format!("/v1/availability?key={key}&{query}"))
            .await;
        assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_query");
    }
    let forged = app
        .get(&format!(
            "/v1/availability?key={key}&sku=JACKE&customer_token=K-9.1.abc"
        ))
        .await;
    assert_error(&forged, StatusCode::UNAUTHORIZED, "invalid_customer_token");
}

#[tokio::test]
async fn stock_far_away_still_beats_many_nearer_stores_without() {
    let app = shop_with_stores().await;
    // Thirty stores around Marienplatz, none with the jacket (half without a stock row):
    // more than the server reads in its first round of nearest stores.
    let near: Vec<Value> = (0..30)
        .map(|i| {
            let place = (MUNICH.0 + 0.001 * f64::from(i), MUNICH.1);
            store(
                &format!("near-{i:02}"),
                &format!("Nah {i:02}"),
                "DE",
                place,
                always_open(),
            )
        })
        .collect();
    import(&app, "/v1/stores", &near).await;
    let empty: Vec<Value> = (0..30)
        .step_by(2)
        .map(|i| json!({"store_id": format!("near-{i:02}"), "sku": "JACKE", "quantity": 0}))
        .collect();
    import(&app, "/v1/stock", &empty).await;
    let answer = availability(&app, &format!("{}&limit=5", near_munich())).await;
    assert_eq!(ids(&answer), ["aug", "sbg", "ulm", "muc", "near-00"]);
    let one = availability(&app, &format!("{}&limit=1", near_munich())).await;
    assert_eq!(ids(&one), ["aug"]);
}
