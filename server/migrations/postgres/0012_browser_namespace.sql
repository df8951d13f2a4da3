-- Issue 16: what a browser says lives apart from what the shop's servers say.

-- Browser events are stored under `browser/<id>` (a client id never holds `/`), so a browser
-- can no longer take the id of a till receipt or an order the shop's server sends later.
UPDATE events SET event_id = 'browser/' || event_id
    WHERE source = 'browser' AND event_id NOT LIKE 'browser/%';

-- A purchase only a browser reported is no sale: its lines leave the sales table (revenue,
-- attribution, trending and "already bought" read it). Orders the shop's servers reported
-- keep their lines.
DELETE FROM purchase_lines
    WHERE EXISTS (SELECT 1 FROM events e
                  WHERE e.shop_id = purchase_lines.shop_id AND e.order_id = purchase_lines.order_id
                    AND e.type = 'purchase' AND e.source = 'browser')
      AND NOT EXISTS (SELECT 1 FROM events e
                      WHERE e.shop_id = purchase_lines.shop_id
                        AND e.order_id = purchase_lines.order_id
                        AND e.type = 'purchase' AND e.source = 'server');

-- The shop's daily cap on cart recovery coupons counts its coupons of the last 24 hours.
CREATE INDEX coupons_by_source_time ON coupons (shop_id, source, created_at);
