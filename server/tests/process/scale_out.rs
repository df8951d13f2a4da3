//! Several instances on one database (PostgreSQL is the scale-out backend; on SQLite two
//! processes share the file, which must work too): no instance keeps state of its own, so a
//! retry that a load balancer sends to the other instance changes nothing.

use serde_json::json;

use crate::http;
use crate::support::{Batch, Installation};

const VISITOR: &str = "v_0123456789abcdef";

#[test]
fn two_servers_on_one_database_share_a_shop() {
    let installation = Installation::new();
    // Both start at once on the fresh database, as two replicas of a deployment do: their
    // migrations must not trip over each other (sqlx's lock on PostgreSQL, a lock file beside
    // a SQLite database).
    let mut a = installation.spawn_server();
    let mut b = installation.spawn_server();
    a.wait_ready();
    b.wait_ready();
    // Created while both run: neither may have cached the list of shops.
    let shop = installation.create_shop("shared", "Shared");

    let batch = Batch::new("scale-out", 40);
    let first = http::post_bulk(a.addr(), &shop.secret_key, &batch.ndjson()).expect("bulk to A");
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.json()["stored"], 40, "{}", first.text());
    let retry = http::post_bulk(b.addr(), &shop.secret_key, &batch.ndjson()).expect("bulk to B");
    assert_eq!(retry.status, 200, "{}", retry.text());
    assert_eq!(
        (
            retry.json()["stored"].clone(),
            retry.json()["duplicates"].clone()
        ),
        (json!(0), json!(40)),
        "the retry through B finds what A stored: {}",
        retry.text()
    );

    // A browser: consent and a beacon through B, the beacon retried through A.
    let key = &shop.publishable_key;
    let consent = http::post_json(
        b.addr(),
        &format!("/v1/consent?key={key}"),
        &json!({"visitor_id": VISITOR, "tracking": true, "personalisation": true, "source": "test"}),
    )
    .expect("consent to B");
    assert_eq!(consent.status, 200, "{}", consent.text());
    let beacon =
        json!({"visitor_id": VISITOR, "events": [{"id": "b1", "type": "view", "sku": "A"}]});
    let path = format!("/v1/events?key={key}");
    let sent = http::post_json(b.addr(), &path, &beacon).expect("events to B");
    assert_eq!(sent.status, 200, "{}", sent.text());
    assert_eq!(sent.json()["stored"], 1, "{}", sent.text());
    let resent = http::post_json(a.addr(), &path, &beacon).expect("events to A");
    assert_eq!(resent.status, 200, "{}", resent.text());
    assert_eq!(
        (
            resent.json()["stored"].clone(),
            resent.json()["duplicates"].clone()
        ),
        (json!(0), json!(1)),
        "A knows B's consent and B's event: {}",
        resent.text()
    );

    let mut expected = batch.ids.clone();
    // A browser's event id is stored in the browser namespace.
    expected.push("browser/b1".to_string());
    assert_eq!(
        installation.event_ids(&shop.id),
        expected.into_iter().collect(),
        "each event stored once"
    );
}
