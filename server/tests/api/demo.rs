//! The demo shop's data.

use vitrine_server::demo::{self, DEMO_SHOP_ID};

use crate::helpers::{public_dir, spawn_app, STOREFRONT};

async fn count(app: &crate::helpers::TestApp, table: &str) -> i64 {
    let (count,): (i64,) =
        sqlx::query_as(&format!("SELECT COUNT(*) FROM {table} WHERE shop_id = $1"))
            .bind(DEMO_SHOP_ID)
            .fetch_one(&app.db)
            .await
            .unwrap();
    count
}

#[tokio::test]
async fn the_demo_shop_has_a_german_catalogue_stores_stock_and_history() {
    let app = spawn_app().await;
    assert!(count(&app, "products").await >= 40);
    assert!(count(&app, "stores").await >= 5);
    assert_eq!(
        count(&app, "stock").await,
        count(&app, "products").await * count(&app, "stores").await
    );
    assert!(count(&app, "purchase_lines").await > 600);
    let (categories, non_euro): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(DISTINCT category), COUNT(CASE WHEN currency <> 'EUR' THEN 1 END)
         FROM products WHERE shop_id = $1",
    )
    .bind(DEMO_SHOP_ID)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(categories >= 5);
    assert_eq!(non_euro, 0);
    // Every product image is a file the storefront serves.
    let images: Vec<(String,)> =
        sqlx::query_as("SELECT image_url FROM products WHERE shop_id = $1")
            .bind(DEMO_SHOP_ID)
            .fetch_all(&app.db)
            .await
            .unwrap();
    for (url,) in images {
        let file = url.strip_prefix(STOREFRONT).expect("storefront URL");
        assert!(public_dir().join(&file[1..]).is_file(), "{file} missing");
    }
}

#[tokio::test]
async fn loading_the_demo_again_changes_nothing() {
    let app = spawn_app().await;
    let before = (
        count(&app, "products").await,
        count(&app, "stock").await,
        count(&app, "purchase_lines").await,
    );
    demo::load(
        &app.db,
        &app.master_key,
        &public_dir(),
        &[STOREFRONT.to_string()],
        vitrine_server::unix_now(),
    )
    .await
    .unwrap();
    let after = (
        count(&app, "products").await,
        count(&app, "stock").await,
        count(&app, "purchase_lines").await,
    );
    assert_eq!(before, after);
}
