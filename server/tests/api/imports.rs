//! Catalogue imports: products, stores and stock as NDJSON or CSV, upserts, per-line errors,
//! tenancy, keys, size, and the `import` command line.

use std::process::Command;

use axum::http::StatusCode;
use serde_json::{json, Value};
use vitrine_server::demo::{DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY, DEMO_SHOP_ID};

use crate::helpers::{assert_error, database_url, spawn_app, Answer, TestApp};

const NDJSON: &str = "application/x-ndjson";
const CSV: &str = "text/csv";
const OTHER_SHOP_SECRET: &str = "sk_test_other_shop";

async fn import(app: &TestApp, path: &str, key: &str, content_type: &str, body: &str) -> Answer {
    let auth = format!("Bearer {key}");
    app.post(
        path,
        &[("authorization", &auth), ("content-type", content_type)],
        body.to_string(),
    )
    .await
}

/// Posts an import with the demo shop's key and returns its `ImportResult`.
async fn demo_import(app: &TestApp, path: &str, content_type: &str, body: &str) -> Value {
    let answer = import(app, path, DEMO_SECRET_KEY, content_type, body).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    answer.json()
}

/// The `(line, code)` pairs of an `ImportResult`'s errors.
fn refused(result: &Value) -> Vec<(u64, String)> {
    result["errors"]
        .as_array()
        .expect("errors array")
        .iter()
        .map(|error| {
            (
                error["line"].as_u64().unwrap(),
                error["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn product(sku: &str, title: &str, price_minor: i64) -> Value {
    json!({"sku": sku, "title": title, "price_minor": price_minor, "currency": "EUR",
           "url": format!("https://shop.example/p/{sku}"),
           "image_url": format!("https://cdn.shop.example/{sku}.jpg"), "category": "Jacken"})
}

fn ndjson(rows: &[Value]) -> String {
    rows.iter().map(|row| format!("{row}\n")).collect()
}

type ProductInDb = (String, i64, String, String, String, String, String);

async fn product_in_db(app: &TestApp, shop: &str, sku: &str) -> Option<ProductInDb> {
    sqlx::query_as(
        "SELECT title, price_minor, currency, url, image_url, category, attributes
         FROM products WHERE shop_id = $1 AND sku = $2",
    )
    .bind(shop)
    .bind(sku)
    .fetch_optional(&app.db)
    .await
    .unwrap()
}

type StoreInDb = (String, String, String, f64, f64, String, String);

async fn store_in_db(app: &TestApp, shop: &str, store_id: &str) -> Option<StoreInDb> {
    sqlx::query_as(
        "SELECT name, city, country, lat, lon, timezone, opening_hours
         FROM stores WHERE shop_id = $1 AND store_id = $2",
    )
    .bind(shop)
    .bind(store_id)
    .fetch_optional(&app.db)
    .await
    .unwrap()
}

async fn quantity_in_db(app: &TestApp, shop: &str, store_id: &str, sku: &str) -> Option<i64> {
    sqlx::query_as::<_, (i64,)>(
        "SELECT quantity FROM stock WHERE shop_id = $1 AND store_id = $2 AND sku = $3",
    )
    .bind(shop)
    .bind(store_id)
    .bind(sku)
    .fetch_optional(&app.db)
    .await
    .unwrap()
    .map(|(quantity,)| quantity)
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[tokio::test]
async fn products_are_imported_from_ndjson_and_from_csv() {
    let app = spawn_app().await;
    let before = app.count("products", DEMO_SHOP_ID).await;
    let mut jacket = product("NEW-1", "Regenjacke", 12_900);
    jacket["attributes"] = json!({"colour": "blau", "size": "M"});
    let body = ndjson(&[jacket, product("NEW-2", "Wanderhose", 8_900)]);
    let result = demo_import(&app, "/v1/products", NDJSON, &body).await;
    assert_eq!(
        result,
        json!({"upserted": 2, "errors": [], "errors_truncated": 0})
    );
    let (title, price, currency, url, image, category, attributes) =
        product_in_db(&app, DEMO_SHOP_ID, "NEW-1").await.unwrap();
    assert_eq!(
        (title.as_str(), price, currency.as_str(), category.as_str()),
        ("Regenjacke", 12_900, "EUR", "Jacken")
    );
    assert_eq!(url, "https://shop.example/p/NEW-1");
    assert_eq!(image, "https://cdn.shop.example/NEW-1.jpg");
    assert_eq!(json_of(&attributes), json!({"colour": "blau", "size": "M"}));
    let without_attributes = product_in_db(&app, DEMO_SHOP_ID, "NEW-2").await.unwrap();
    assert_eq!(json_of(&without_attributes.6), json!({}));

    let csv = "sku,title,price_minor,currency,url,image_url,category,attributes\n\
               CSV-1,\"Mütze, warm\",1999,CHF,https://shop.example/p/CSV-1,https://cdn.shop.example/CSV-1.jpg,Accessoires,\"{\"\"material\"\":\"\"Wolle\"\"}\"\n\
               CSV-2,Handschuhe,2499,EUR,https://shop.example/p/CSV-2,https://cdn.shop.example/CSV-2.jpg,Accessoires,\n";
    let result = demo_import(&app, "/v1/products", "text/csv; charset=utf-8", csv).await;
    assert_eq!(result["upserted"], 2, "{result}");
    let (title, price, currency, _, _, _, attributes) =
        product_in_db(&app, DEMO_SHOP_ID, "CSV-1").await.unwrap();
    assert_eq!(
        (title.as_str(), price, currency.as_str()),
        ("Mütze, warm", 1999, "CHF")
    );
    assert_eq!(json_of(&attributes), json!({"material": "Wolle"}));
    assert_eq!(
        json_of(&product_in_db(&app, DEMO_SHOP_ID, "CSV-2").await.unwrap().6),
        json!({})
    );
    assert_eq!(app.count("products", DEMO_SHOP_ID).await, before + 4);
}

#[tokio::test]
async fn stores_are_imported_from_ndjson_and_from_csv() {
    let app = spawn_app().await;
    let before = app.count("stores", DEMO_SHOP_ID).await;
    let store = json!({"store_id": "wien-1", "name": "Wien Mariahilf", "street": "Mariahilfer Str. 1",
        "postcode": "1060", "city": "Wien", "country": "AT", "lat": 48.1986, "lon": 16.3489,
        "timezone": "Europe/Vienna",
        "opening_hours": {"mon": [["09:00", "12:30"], ["13:30", "18:00"]], "sat": [["09:00", "17:00"]], "sun": []}});
    let result = demo_import(&app, "/v1/stores", NDJSON, &ndjson(&[store])).await;
    assert_eq!(result["upserted"], 1, "{result}");
    let (name, city, country, lat, lon, timezone, hours) =
        store_in_db(&app, DEMO_SHOP_ID, "wien-1").await.unwrap();
    assert_eq!(
        (name.as_str(), city.as_str(), country.as_str()),
        ("Wien Mariahilf", "Wien", "AT")
    );
    assert_eq!((lat, lon), (48.1986, 16.3489));
    assert_eq!(timezone, "Europe/Vienna");
    assert_eq!(
        json_of(&hours),
        json!({"mon": [["09:00", "12:30"], ["13:30", "18:00"]], "sat": [["09:00", "17:00"]], "sun": []})
    );

    let csv = "store_id,name,street,postcode,city,country,lat,lon,timezone,opening_hours\n\
               zh-hb,Zürich HB,Bahnhofplatz 1,8001,Zürich,CH,47.3779,8.5403,Europe/Zurich,\"{\"\"mon\"\": [[\"\"06:00\"\", \"\"22:00\"\"]]}\"\n";
    let result = demo_import(&app, "/v1/stores", CSV, csv).await;
    assert_eq!(result["upserted"], 1, "{result}");
    let (name, _, country, lat, lon, timezone, hours) =
        store_in_db(&app, DEMO_SHOP_ID, "zh-hb").await.unwrap();
    assert_eq!((name.as_str(), country.as_str()), ("Zürich HB", "CH"));
    assert_eq!(
        (lat, lon, timezone.as_str()),
        (47.3779, 8.5403, "Europe/Zurich")
    );
    assert_eq!(json_of(&hours), json!({"mon": [["06:00", "22:00"]]}));
    assert_eq!(app.count("stores", DEMO_SHOP_ID).await, before + 2);
}

#[tokio::test]
async fn stock_is_imported_from_ndjson_and_from_csv() {
    let app = spawn_app().await;
    let body = ndjson(&[
        json!({"store_id": "ulm-muensterplatz", "sku": "AH-1001", "quantity": 7}),
        json!({"store_id": "augsburg-city", "sku": "AH-1002", "quantity": 0}),
    ]);
    let result = demo_import(&app, "/v1/stock", NDJSON, &body).await;
    assert_eq!(result["upserted"], 2, "{result}");
    assert_eq!(
        quantity_in_db(&app, DEMO_SHOP_ID, "ulm-muensterplatz", "AH-1001").await,
        Some(7)
    );
    assert_eq!(
        quantity_in_db(&app, DEMO_SHOP_ID, "augsburg-city", "AH-1002").await,
        Some(0)
    );

    let csv = "sku,quantity,store_id\r\nAH-1003,12,freiburg-altstadt\r\n\r\nAH-1004,3,salzburg-altstadt\r\n";
    let result = demo_import(&app, "/v1/stock", CSV, csv).await;
    assert_eq!(
        result,
        json!({"upserted": 2, "errors": [], "errors_truncated": 0})
    );
    assert_eq!(
        quantity_in_db(&app, DEMO_SHOP_ID, "freiburg-altstadt", "AH-1003").await,
        Some(12)
    );
    assert_eq!(
        quantity_in_db(&app, DEMO_SHOP_ID, "salzburg-altstadt", "AH-1004").await,
        Some(3)
    );
}

#[tokio::test]
async fn the_same_stock_row_twice_in_one_file_keeps_the_later_line() {
    let app = spawn_app().await;
    let body = ndjson(&[
        json!({"store_id": "ulm-muensterplatz", "sku": "AH-1001", "quantity": 7}),
        json!({"store_id": "nowhere", "sku": "AH-1001", "quantity": 1}),
        json!({"store_id": "ulm-muensterplatz", "sku": "AH-1001", "quantity": 4}),
        json!({"store_id": "ulm-muensterplatz", "sku": "NO-SUCH-SKU", "quantity": 1}),
    ]);
    let result = demo_import(&app, "/v1/stock", NDJSON, &body).await;
    assert_eq!(result["upserted"], 2, "{result}");
    assert_eq!(
        refused(&result),
        [
            (2, "unknown_store".to_string()),
            (4, "unknown_sku".to_string())
        ]
    );
    assert_eq!(
        quantity_in_db(&app, DEMO_SHOP_ID, "ulm-muensterplatz", "AH-1001").await,
        Some(4)
    );
}

#[tokio::test]
async fn importing_a_known_key_again_updates_the_row() {
    let app = spawn_app().await;
    demo_import(
        &app,
        "/v1/products",
        NDJSON,
        &ndjson(&[product("UP-1", "Alt", 1_000)]),
    )
    .await;
    let products = app.count("products", DEMO_SHOP_ID).await;
    let mut changed = product("UP-1", "Neu", 1_500);
    changed["attributes"] = json!({"colour": "rot"});
    let result = demo_import(&app, "/v1/products", NDJSON, &ndjson(&[changed])).await;
    assert_eq!(result["upserted"], 1);
    let (title, price, .., attributes) = product_in_db(&app, DEMO_SHOP_ID, "UP-1").await.unwrap();
    assert_eq!((title.as_str(), price), ("Neu", 1_500));
    assert_eq!(json_of(&attributes), json!({"colour": "rot"}));
    assert_eq!(app.count("products", DEMO_SHOP_ID).await, products);

    let stores = app.count("stores", DEMO_SHOP_ID).await;
    let moved = json!({"store_id": "ulm-muensterplatz", "name": "Ulm Neue Mitte", "street": "Neue Str. 1",
        "postcode": "89073", "city": "Ulm", "country": "DE", "lat": 48.4, "lon": 9.99,
        "timezone": "Europe/Berlin", "opening_hours": {"mon": [["08:00", "20:00"]]}});
    demo_import(&app, "/v1/stores", NDJSON, &ndjson(&[moved])).await;
    let (name, ..) = store_in_db(&app, DEMO_SHOP_ID, "ulm-muensterplatz")
        .await
        .unwrap();
    assert_eq!(name, "Ulm Neue Mitte");
    assert_eq!(app.count("stores", DEMO_SHOP_ID).await, stores);

    for quantity in [5, 2] {
        let csv = format!("store_id,sku,quantity\nulm-muensterplatz,UP-1,{quantity}\n");
        demo_import(&app, "/v1/stock", CSV, &csv).await;
    }
    assert_eq!(
        quantity_in_db(&app, DEMO_SHOP_ID, "ulm-muensterplatz", "UP-1").await,
        Some(2)
    );
}

#[tokio::test]
async fn bad_lines_are_reported_by_number_and_good_lines_are_kept() {
    let app = spawn_app().await;
    let before = app.count("products", DEMO_SHOP_ID).await;
    let mut bad_url = product("B-4", "Relative", 1);
    bad_url["url"] = json!("/p/B-4");
    let mut bad_currency = product("B-6", "Euro", 1);
    bad_currency["currency"] = json!("eur");
    let mut body = [
        product("G-1", "Gut", 100).to_string(),
        "{not json".to_string(),
        product("B-3", "Zu teuer", 10_000_000_001).to_string(),
        bad_url.to_string(),
        String::new(),
        bad_currency.to_string(),
        product("G-7", "Auch gut", 0).to_string(),
        json!({"sku": "B-8", "title": "Ohne Preis"}).to_string(),
    ]
    .join("\n")
    .into_bytes();
    body.extend_from_slice(b"\n{\"sku\": \"B-9\xff\"}\n");
    body.extend_from_slice(product("G-10", "Zuletzt", 5).to_string().as_bytes());
    let answer = app
        .post(
            "/v1/products",
            &[
                ("authorization", &format!("Bearer {DEMO_SECRET_KEY}")),
                ("content-type", NDJSON),
            ],
            body,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let result = answer.json();
    assert_eq!(result["upserted"], 3);
    assert_eq!(
        refused(&result),
        [
            (2, "invalid_json".into()),
            (3, "invalid_product".into()),
            (4, "invalid_product".into()),
            (6, "invalid_product".into()),
            (8, "invalid_json".into()),
            (9, "invalid_utf8".into()),
        ]
    );
    for error in result["errors"].as_array().unwrap() {
        assert!(!error["message"].as_str().unwrap().is_empty(), "{error}");
    }
    assert!(result["errors"][2]["message"]
        .as_str()
        .unwrap()
        .contains("url"));
    assert_eq!(app.count("products", DEMO_SHOP_ID).await, before + 3);
    for sku in ["G-1", "G-7", "G-10"] {
        assert!(
            product_in_db(&app, DEMO_SHOP_ID, sku).await.is_some(),
            "{sku}"
        );
    }

    // CSV: the header is line 1; a quoted field may span lines; the line of a row is its first.
    let csv = "store_id,sku,quantity\n\
               ulm-muensterplatz,AH-1001,4\n\
               ulm-muensterplatz,AH-1002,many\n\
               ulm-muensterplatz,AH-1003\n\
               ulm-muensterplatz,\"AH\n1004\",1\n\
               nowhere,AH-1005,1\n\
               ulm-muensterplatz,NO-SUCH-SKU,1\n\
               ulm-muensterplatz,AH-1006,-1\n\
               ulm-muensterplatz,AH-1007,9\n";
    let result = demo_import(&app, "/v1/stock", CSV, csv).await;
    assert_eq!(result["upserted"], 2, "{result}");
    assert_eq!(
        refused(&result),
        [
            (3, "invalid_csv".into()),
            (4, "invalid_csv".into()),
            (5, "invalid_stock".into()),
            (7, "unknown_store".into()),
            (8, "unknown_sku".into()),
            (9, "invalid_stock".into()),
        ]
    );
    assert_eq!(
        quantity_in_db(&app, DEMO_SHOP_ID, "ulm-muensterplatz", "AH-1007").await,
        Some(9)
    );
}

#[tokio::test]
async fn a_csv_header_without_a_required_column_is_one_error_on_line_1() {
    let app = spawn_app().await;
    let before = app.count("stock", DEMO_SHOP_ID).await;
    let csv = "store,sku,quantity\nulm-muensterplatz,AH-1001,4\nulm-muensterplatz,AH-1002,4\n";
    let result = demo_import(&app, "/v1/stock", CSV, csv).await;
    assert_eq!(result["upserted"], 0);
    assert_eq!(refused(&result), [(1, "invalid_csv".into())]);
    assert!(result["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("store_id"));
    assert_eq!(app.count("stock", DEMO_SHOP_ID).await, before);
}

#[tokio::test]
async fn invalid_store_values_are_refused_with_the_reason() {
    let app = spawn_app().await;
    let store = |change: fn(&mut Value)| {
        let mut store = json!({"store_id": "s-1", "name": "S", "street": "Weg 1", "postcode": "1",
            "city": "C", "country": "DE", "lat": 48.0, "lon": 9.0, "timezone": "Europe/Berlin",
            "opening_hours": {"mon": [["09:00", "18:00"]]}});
        change(&mut store);
        store
    };
    let body = ndjson(&[
        store(|_| {}),
        store(|s| s["timezone"] = json!("Mars/Olympus")),
        store(|s| s["lat"] = json!(91.0)),
        store(|s| s["opening_hours"] = json!({"mon": [["09:00", "13:00"], ["12:00", "18:00"]]})),
        store(|s| s["opening_hours"] = json!({"tue": [["18:00", "09:00"]]})),
        store(|s| s["opening_hours"] = json!({"monday": [["09:00", "18:00"]]})),
        store(|s| s["store_id"] = json!("s 1")),
        store(|s| s["country"] = json!("Germany")),
    ]);
    let result = demo_import(&app, "/v1/stores", NDJSON, &body).await;
    assert_eq!(result["upserted"], 1);
    assert_eq!(
        refused(&result),
        [
            (2, "invalid_store".into()),
            (3, "invalid_store".into()),
            (4, "invalid_store".into()),
            (5, "invalid_store".into()),
            (6, "invalid_json".into()),
            (7, "invalid_store".into()),
            (8, "invalid_store".into()),
        ]
    );
    let messages: Vec<&str> = result["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].contains("timezone"), "{messages:?}");
    assert!(messages[2].contains("overlaps"), "{messages:?}");
}

#[tokio::test]
async fn stock_for_another_shops_store_is_refused() {
    let app = spawn_app().await;
    let other_store = json!({"store_id": "other-store", "name": "Other", "street": "Weg 1",
        "postcode": "1", "city": "C", "country": "DE", "lat": 48.0, "lon": 9.0,
        "timezone": "Europe/Berlin", "opening_hours": {}});
    let answer = import(
        &app,
        "/v1/stores",
        OTHER_SHOP_SECRET,
        NDJSON,
        &ndjson(&[other_store]),
    )
    .await;
    assert_eq!(answer.json()["upserted"], 1);
    let answer = import(
        &app,
        "/v1/products",
        OTHER_SHOP_SECRET,
        NDJSON,
        &ndjson(&[product("OTHER-SKU", "Fremd", 1)]),
    )
    .await;
    assert_eq!(answer.json()["upserted"], 1);
    let stock_before = app.count("stock", DEMO_SHOP_ID).await;

    let body = ndjson(&[
        json!({"store_id": "other-store", "sku": "AH-1001", "quantity": 1}),
        json!({"store_id": "ulm-muensterplatz", "sku": "OTHER-SKU", "quantity": 1}),
    ]);
    let result = demo_import(&app, "/v1/stock", NDJSON, &body).await;
    assert_eq!(result["upserted"], 0);
    assert_eq!(
        refused(&result),
        [(1, "unknown_store".into()), (2, "unknown_sku".into())]
    );
    assert_eq!(app.count("stock", DEMO_SHOP_ID).await, stock_before);
    assert_eq!(app.count("stock", "other").await, 0);

    // A demo shop's store id does not reach the demo shop's row from the other shop either.
    let answer = import(
        &app,
        "/v1/stock",
        OTHER_SHOP_SECRET,
        NDJSON,
        &ndjson(&[json!({"store_id": "ulm-muensterplatz", "sku": "OTHER-SKU", "quantity": 1})]),
    )
    .await;
    assert_eq!(refused(&answer.json()), [(1, "unknown_store".into())]);
    assert_eq!(app.count("stock", "other").await, 0);
}

#[tokio::test]
async fn imports_need_the_shops_secret_key() {
    let app = spawn_app().await;
    let before = app.count("products", DEMO_SHOP_ID).await;
    let body = ndjson(&[product("KEY-1", "Schlüssel", 1)]);
    for path in ["/v1/products", "/v1/stores", "/v1/stock"] {
        assert_error(
            &import(&app, path, DEMO_PUBLISHABLE_KEY, NDJSON, &body).await,
            StatusCode::UNAUTHORIZED,
            "invalid_key",
        );
        assert_error(
            &import(&app, path, "sk_live_guessed", NDJSON, &body).await,
            StatusCode::UNAUTHORIZED,
            "invalid_key",
        );
        assert_error(
            &app.post(path, &[("content-type", NDJSON)], body.clone())
                .await,
            StatusCode::UNAUTHORIZED,
            "missing_key",
        );
    }
    assert_eq!(app.count("products", DEMO_SHOP_ID).await, before);
}

#[tokio::test]
async fn an_unsupported_content_type_is_refused() {
    let app = spawn_app().await;
    let before = app.count("products", DEMO_SHOP_ID).await;
    let body = ndjson(&[product("CT-1", "Typ", 1)]);
    for content_type in ["text/plain", "application/xml", "multipart/form-data"] {
        assert_error(
            &import(&app, "/v1/products", DEMO_SECRET_KEY, content_type, &body).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
    }
    assert_eq!(app.count("products", DEMO_SHOP_ID).await, before);
    // No Content-Type at all is read as NDJSON.
    let auth = format!("Bearer {DEMO_SECRET_KEY}");
    let answer = app
        .post("/v1/products", &[("authorization", &auth)], body)
        .await;
    assert_eq!(answer.json()["upserted"], 1);
}

#[tokio::test]
async fn a_big_import_is_written_in_full() {
    let app = spawn_app().await;
    let before = app.count("products", DEMO_SHOP_ID).await;
    let lines = 20_000;
    let body: String = (0..lines)
        .map(|i| {
            let mut row = product(&format!("BIG-{i:05}"), &format!("Artikel {i}"), i);
            row["attributes"] = json!({"index": i.to_string()});
            format!("{row}\n")
        })
        .collect();
    let result = demo_import(&app, "/v1/products", NDJSON, &body).await;
    assert_eq!(
        result,
        json!({"upserted": lines, "errors": [], "errors_truncated": 0})
    );
    assert_eq!(app.count("products", DEMO_SHOP_ID).await, before + lines);
    for i in [0, 499, 500, 12_345, lines - 1] {
        let (title, price, .., attributes) =
            product_in_db(&app, DEMO_SHOP_ID, &format!("BIG-{i:05}"))
                .await
                .unwrap();
        assert_eq!((title, price), (format!("Artikel {i}"), i));
        assert_eq!(json_of(&attributes), json!({"index": i.to_string()}));
    }
}

#[tokio::test]
async fn at_most_a_thousand_errors_are_listed_and_the_rest_counted() {
    let app = spawn_app().await;
    let body: String = (0..1_200).map(|i| format!("{{\"bad\": {i}}}\n")).collect();
    let result = demo_import(&app, "/v1/products", NDJSON, &body).await;
    assert_eq!(result["upserted"], 0);
    let errors = refused(&result);
    assert_eq!(errors.len(), 1_000);
    assert_eq!(errors[0], (1, "invalid_json".into()));
    assert_eq!(errors[999], (1_000, "invalid_json".into()));
    assert_eq!(result["errors_truncated"], 200);
}

#[tokio::test]
async fn the_import_command_reads_files_and_stdin_and_fails_on_refused_lines() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path()).await;
    let (_, master_key) = vitrine_server::storage::keyring::MasterKey::generate();
    let created = Command::new(env!("CARGO_BIN_EXE_vitrine-server"))
        .args(["shop", "--json", "--database-url", &url])
        .args(["--master-key", &master_key])
        .args(["create", "--name", "Muster", "--id", "muster"])
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_vitrine-server"));
        command
            .args(["import", "--database-url", &url])
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            std::io::Write::write_all(&mut input, text.as_bytes()).unwrap();
        }
        drop(input);
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        (output.status.code(), stdout, stderr)
    };

    let products = dir.path().join("products.csv");
    std::fs::write(
        &products,
        "sku,title,price_minor,currency,url,image_url,category\n\
         M-1,Tasse,990,EUR,https://muster.example/p/M-1,https://muster.example/M-1.jpg,Küche\n\
         M-2,Teller,1490,EUR,https://muster.example/p/M-2,https://muster.example/M-2.jpg,Küche\n",
    )
    .unwrap();
    let products = products.to_str().unwrap();
    let (code, out, err) = run(&["products", "--shop", "muster", "--file", products], None);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        json_of(&out),
        json!({"upserted": 2, "errors": [], "errors_truncated": 0})
    );

    let stores = ndjson(&[
        json!({"store_id": "laden", "name": "Laden", "street": "Weg 1",
        "postcode": "1", "city": "C", "country": "DE", "lat": 48.0, "lon": 9.0,
        "timezone": "Europe/Berlin", "opening_hours": {"mon": [["09:00", "18:00"]]}}),
    ]);
    let (code, out, err) = run(
        &[
            "stores", "--shop", "muster", "--file", "-", "--format", "ndjson",
        ],
        Some(&stores),
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(json_of(&out)["upserted"], 1);

    let stock = dir.path().join("stock.ndjson");
    std::fs::write(
        &stock,
        ndjson(&[
            json!({"store_id": "laden", "sku": "M-1", "quantity": 4}),
            json!({"store_id": "laden", "sku": "M-9", "quantity": 4}),
        ]),
    )
    .unwrap();
    let stock = stock.to_str().unwrap();
    let (code, out, err) = run(&["stock", "--shop", "muster", "--file", stock], None);
    assert_eq!(code, Some(1), "a refused line fails the command: {err}");
    let result = json_of(&out);
    assert_eq!(result["upserted"], 1);
    assert_eq!(refused(&result), [(2, "unknown_sku".into())]);
    assert!(err.contains("1 line(s) refused"), "{err}");

    let (code, _, err) = run(&["stock", "--shop", "muster", "--file", "-"], Some(""));
    assert_eq!(code, Some(1));
    assert!(err.contains("--format"), "{err}");
    let (code, _, err) = run(&["stock", "--shop", "nobody", "--file", stock], None);
    assert_eq!(code, Some(1));
    assert!(err.contains("no shop with id `nobody`"), "{err}");
}

#[tokio::test]
async fn a_body_arriving_in_small_pieces_is_read_across_their_boundaries() {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let app = spawn_app().await;
    let mut body = ndjson(&[
        product("PIECE-1", "Größe ÄÖÜ", 1),
        json!({"sku": "LONG", "title": "x".repeat(1024 * 1024)}),
        product("PIECE-3", "Überlänge davor", 3),
    ])
    .into_bytes();
    body.extend_from_slice(
        product("PIECE-4", "Ohne Zeilenende", 4)
            .to_string()
            .as_bytes(),
    );
    // 7-byte pieces: lines, and the two bytes of each umlaut, are split between pieces.
    let pieces: Vec<Result<Vec<u8>, std::io::Error>> =
        body.chunks(7).map(|piece| Ok(piece.to_vec())).collect();
    let request = axum::http::Request::post("/v1/products")
        .header("authorization", format!("Bearer {DEMO_SECRET_KEY}"))
        .header("content-type", NDJSON)
        .body(Body::from_stream(futures_util::stream::iter(pieces)))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let result: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(result["upserted"], 3, "{result}");
    assert_eq!(refused(&result), [(2, "line_too_long".into())]);
    let (title, ..) = product_in_db(&app, DEMO_SHOP_ID, "PIECE-1").await.unwrap();
    assert_eq!(title, "Größe ÄÖÜ");
    assert!(product_in_db(&app, DEMO_SHOP_ID, "PIECE-4").await.is_some());
}

#[tokio::test]
async fn a_csv_record_with_an_unterminated_quote_is_one_line_error_and_the_lines_before_are_kept() {
    let app = spawn_app().await;
    let limit = vitrine_server::import::MAX_LINE_BYTES;
    let header = "store_id,sku,quantity\n";
    let good = "ulm-muensterplatz,AH-1001,4\n";
    // A quote that never closes: without a limit the whole rest of the input is one record.
    let mut csv = format!("{header}{good}ulm-muensterplatz,\"AH-1002,");
    csv.push_str(&"x,\n".repeat(limit));
    let result = demo_import(&app, "/v1/stock", CSV, &csv).await;
    assert_eq!(result["upserted"], 1, "{result}");
    assert_eq!(refused(&result), [(3, "record_too_long".into())]);
    let message = result["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(&limit.to_string()), "{message}");
    assert_eq!(
        quantity_in_db(&app, DEMO_SHOP_ID, "ulm-muensterplatz", "AH-1001").await,
        Some(4)
    );
}

#[tokio::test]
async fn a_csv_record_over_the_limit_is_skipped_to_its_end_and_the_records_after_it_are_read() {
    let app = spawn_app().await;
    let limit = vitrine_server::import::MAX_LINE_BYTES;
    // A quoted field with line ends and escaped quotes inside, longer than the limit.
    let long = "a\"\"b\nc,".repeat(limit / 6 + 1);
    let csv = format!(
        "store_id,sku,quantity\n\
         ulm-muensterplatz,AH-1001,4\n\
         ulm-muensterplatz,\"{long}\",1\n\
         ulm-muensterplatz,AH-1002,5\r\n\
         ulm-muensterplatz,\"AH-1003\",6"
    );
    let long_lines = long.matches('\n').count() as u64;
    let result = demo_import(&app, "/v1/stock", CSV, &csv).await;
    assert_eq!(result["upserted"], 3, "{result}");
    assert_eq!(refused(&result), [(3, "record_too_long".into())]);
    for (sku, quantity) in [("AH-1001", 4), ("AH-1002", 5), ("AH-1003", 6)] {
        assert_eq!(
            quantity_in_db(&app, DEMO_SHOP_ID, "ulm-muensterplatz", sku).await,
            Some(quantity),
            "{sku}"
        );
    }
    // Lines are still counted through the skipped record.
    let after = format!("{csv}\nulm-muensterplatz,AH-1004,x\n");
    let result = demo_import(&app, "/v1/stock", CSV, &after).await;
    assert_eq!(
        refused(&result),
        [
            (3, "record_too_long".into()),
            (6 + long_lines, "invalid_csv".into())
        ]
    );
}
