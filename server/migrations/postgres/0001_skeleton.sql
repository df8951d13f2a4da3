-- PostgreSQL twin of migrations/sqlite/0001_skeleton.sql: the same tables and names,
-- PostgreSQL column types (BIGINT for i64, DOUBLE PRECISION for f64).

CREATE TABLE shops (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    publishable_key_hash  TEXT NOT NULL UNIQUE,
    secret_key_hash       TEXT NOT NULL UNIQUE,
    created_at            BIGINT NOT NULL
);

CREATE TABLE shop_origins (
    shop_id  TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    origin   TEXT NOT NULL,
    PRIMARY KEY (shop_id, origin)
);

CREATE TABLE products (
    shop_id      TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    sku          TEXT NOT NULL,
    title        TEXT NOT NULL,
    price_minor  BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    url          TEXT NOT NULL,
    image_url    TEXT NOT NULL,
    category     TEXT NOT NULL,
    PRIMARY KEY (shop_id, sku)
);

CREATE TABLE stores (
    shop_id        TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    store_id       TEXT NOT NULL,
    name           TEXT NOT NULL,
    street         TEXT NOT NULL,
    postcode       TEXT NOT NULL,
    city           TEXT NOT NULL,
    country        TEXT NOT NULL,
    lat            DOUBLE PRECISION NOT NULL,
    lon            DOUBLE PRECISION NOT NULL,
    timezone       TEXT NOT NULL,
    -- JSON: {"mon": [["09:00","20:00"]], …}; parsed at the edge when imported.
    opening_hours  TEXT NOT NULL,
    PRIMARY KEY (shop_id, store_id)
);

CREATE TABLE stock (
    shop_id   TEXT NOT NULL,
    store_id  TEXT NOT NULL,
    sku       TEXT NOT NULL,
    quantity  BIGINT NOT NULL,
    PRIMARY KEY (shop_id, store_id, sku),
    FOREIGN KEY (shop_id, store_id) REFERENCES stores(shop_id, store_id) ON DELETE CASCADE
);

CREATE TABLE purchase_lines (
    shop_id           TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    order_id          TEXT NOT NULL,
    line_no           BIGINT NOT NULL,
    sku               TEXT NOT NULL,
    quantity          BIGINT NOT NULL,
    unit_price_minor  BIGINT NOT NULL,
    channel           TEXT NOT NULL CHECK (channel IN ('web', 'app', 'store')),
    store_id          TEXT,
    customer_id       TEXT,
    purchased_at      BIGINT NOT NULL,
    PRIMARY KEY (shop_id, order_id, line_no)
);

CREATE INDEX purchase_lines_by_sku ON purchase_lines (shop_id, sku, purchased_at);
