//! Migrations on a database with history: what 0010 (attribution) fills in for rows stored
//! before it.

use crate::helpers::database_url;

#[tokio::test]
async fn migration_0010_fills_tile_counts_and_currencies_of_rows_stored_before() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = database_url(dir.path()).await;
    sqlx::any::install_default_drivers();
    let postgres = url.starts_with("postgres");
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&if postgres {
            url.clone()
        } else {
            format!("{url}?mode=rwc")
        })
        .await
        .expect("database");
    let mut before = if postgres {
        sqlx::migrate!("./migrations/postgres")
    } else {
        sqlx::migrate!("./migrations/sqlite")
    };
    before.migrations = before
        .migrations
        .iter()
        .filter(|migration| migration.version < 10)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before.run(&pool).await.expect("migrations 1 to 9");
    let impression =
        r#"{"id":"i-1","type":"impression","recommendation_id":"home.x","skus":["A","B","C"]}"#;
    let purchase = r#"{"id":"p-1","type":"purchase","order_id":"O-1","channel":"web","currency":"EUR","lines":[{"sku":"A","quantity":1,"unit_price_minor":100}]}"#;
    let statements = [
        "INSERT INTO shops (id, name, publishable_key_hash, secret_key_hash, created_at)
         VALUES ('s', 'Shop', 'p', 'k', 0)"
            .to_string(),
        "INSERT INTO products (shop_id, sku, title, price_minor, currency, url, image_url, category)
         VALUES ('s', 'B', 'B', 100, 'CHF', 'u', 'i', 'c')"
            .to_string(),
        format!(
            "INSERT INTO events (shop_id, event_id, profile_id, type, source, occurred_at,
                 received_at, recommendation_id, order_id, payload)
             VALUES ('s', 'i-1', 'p', 'impression', 'browser', 1, 1, 'home.x', NULL, '{impression}'),
                    ('s', 'p-1', 'p', 'purchase', 'server', 1, 1, NULL, 'O-1', '{purchase}')"
        ),
        // Bought with an event, without one (a product's currency), and neither.
        "INSERT INTO purchase_lines (shop_id, order_id, line_no, sku, quantity, unit_price_minor,
             channel, purchased_at)
         VALUES ('s', 'O-1', 0, 'A', 1, 100, 'web', 1), ('s', 'O-2', 0, 'B', 1, 100, 'store', 1),
                ('s', 'O-3', 0, 'Z', 1, 100, 'store', 1)"
            .to_string(),
    ];
    for statement in statements {
        sqlx::query(&statement)
            .execute(&pool)
            .await
            .expect(&statement);
    }
    pool.close().await;

    let db = vitrine_server::storage::db::connect(&url)
        .await
        .expect("migrated");
    let (tiles,): (Option<i64>,) =
        sqlx::query_as("SELECT quantity FROM events WHERE event_id = 'browser/i-1'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(tiles, Some(3));
    let currencies: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT order_id, currency FROM purchase_lines ORDER BY order_id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        currencies,
        [
            ("O-1".to_string(), Some("EUR".to_string())),
            ("O-2".to_string(), Some("CHF".to_string())),
            ("O-3".to_string(), None),
        ]
    );
}
