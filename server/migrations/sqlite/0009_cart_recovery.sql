-- Cart recovery (cart_recovery.rs): the shop's rules, the offers made, what shoppers did.
-- The rules as JSON (vitrine_types::CartRecoveryRules, checked when set); NULL: none.
ALTER TABLE shops ADD COLUMN cart_recovery_rules TEXT;

-- A coupon may take a percentage off instead of an amount (cart recovery).
ALTER TABLE coupons ADD COLUMN percent INTEGER;

-- One offer per open cart: a cart whose lines change is a new offer. `fingerprint` names
-- the lines (SKU and quantity); `coupon_code` is set once, when the rules gave a coupon.
CREATE TABLE cart_offers (
    shop_id      TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    offer_id     TEXT NOT NULL,
    profile_id   TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    coupon_code  TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (shop_id, offer_id),
    UNIQUE (shop_id, profile_id, fingerprint)
);

-- What the shopper did with the dialog, per profile: the frequency cap counts 'shown', the
-- quiet period starts at 'dismissed', on every device of the customer.
CREATE TABLE cart_recovery_actions (
    shop_id      TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    profile_id   TEXT NOT NULL,
    offer_id     TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('shown', 'clicked', 'dismissed')),
    occurred_at  INTEGER NOT NULL
);
CREATE INDEX cart_recovery_actions_by_profile
    ON cart_recovery_actions (shop_id, profile_id, occurred_at);
