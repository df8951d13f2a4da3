-- The attribution report (attribution.rs): widget clicks and impressions by time, purchase
-- lines by profile and SKU, and the currency of every purchase line.

-- Clicks and impressions are the events with a recommendation id; only they are indexed by
-- type and time, so ingesting views, carts and purchases costs no extra index write.
CREATE INDEX events_widget_by_time ON events (shop_id, type, occurred_at)
    WHERE recommendation_id IS NOT NULL;

-- An impression's `quantity` is the number of tiles seen (the SKUs of its payload).
UPDATE events SET quantity = json_array_length((payload::json)->'skus')
    WHERE type = 'impression' AND quantity IS NULL;

-- A clicked SKU's later purchases by the same profile; replaces the index on (shop_id,
-- profile_id), which is its prefix.
CREATE INDEX purchase_lines_by_profile_sku
    ON purchase_lines (shop_id, profile_id, sku, purchased_at);
DROP INDEX purchase_lines_by_profile;

-- Revenue is summed per currency: each line keeps its order's. Lines recorded before come
-- from their purchase event, else from the product's current currency; the rest stay NULL.
ALTER TABLE purchase_lines ADD COLUMN currency TEXT;
UPDATE purchase_lines SET currency = bought.currency
    FROM (SELECT shop_id, order_id, MAX((payload::json)->>'currency') AS currency
          FROM events WHERE type = 'purchase' GROUP BY shop_id, order_id) AS bought
    WHERE purchase_lines.shop_id = bought.shop_id AND purchase_lines.order_id = bought.order_id;
UPDATE purchase_lines SET currency = (
        SELECT products.currency FROM products
        WHERE products.shop_id = purchase_lines.shop_id AND products.sku = purchase_lines.sku)
    WHERE currency IS NULL;
