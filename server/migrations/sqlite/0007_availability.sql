-- Store availability (GET /v1/availability).
-- Click & collect: minutes of opening time a store needs to have an order ready.
ALTER TABLE stores ADD COLUMN pickup_preparation_minutes INTEGER NOT NULL DEFAULT 120;
-- Stock below this (and above zero) shows as "low".
ALTER TABLE shops ADD COLUMN low_stock_threshold INTEGER NOT NULL DEFAULT 3;
-- Where distances are measured from when the shopper gave no place and has no usual store:
-- a postcode of the shipped DACH table (NULL: no default, stores are listed without distance).
ALTER TABLE shops ADD COLUMN default_country TEXT;
ALTER TABLE shops ADD COLUMN default_postcode TEXT;
-- Stock of one SKU in the stores nearest the shopper, the availability query: covering, so
-- the answer is read from the index alone.
CREATE INDEX stock_by_sku ON stock (shop_id, sku, store_id, quantity);
