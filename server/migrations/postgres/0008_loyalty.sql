-- Loyalty points (loyalty.rs) and one-time coupons (coupons.rs).
-- The shop's programme as JSON (vitrine_types::LoyaltyProgram, checked when set); NULL: none.
ALTER TABLE shops ADD COLUMN loyalty_program TEXT;

-- The append-only ledger: a balance is the sum of its lines. Line ids make every write
-- idempotent: 'accrual:<order>', 'reversal:<event>', 'adjustment:<client id>',
-- 'redemption:<client id>', 'expiry:<uuid>'.
CREATE TABLE loyalty_ledger (
    shop_id      TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    line_id      TEXT NOT NULL,
    profile_id   TEXT NOT NULL,
    kind         TEXT NOT NULL
                 CHECK (kind IN ('accrual', 'reversal', 'adjustment', 'redemption', 'expiry')),
    points       BIGINT NOT NULL,
    -- When the points of a credit were earned (a reversal: when its order earned them), for
    -- expiry and tiers; NULL for debits.
    earned_at    BIGINT,
    occurred_at  BIGINT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    order_id     TEXT,
    channel      TEXT,
    store_id     TEXT,
    reason       TEXT,
    PRIMARY KEY (shop_id, line_id)
);
CREATE INDEX loyalty_ledger_by_profile ON loyalty_ledger (shop_id, profile_id, occurred_at);

-- The running balance per profile: what concurrent redemptions are checked against.
CREATE TABLE loyalty_accounts (
    shop_id     TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    profile_id  TEXT NOT NULL,
    balance     BIGINT NOT NULL CHECK (balance >= 0),
    PRIMARY KEY (shop_id, profile_id)
);

-- Each order that earned points, once, with the terms it earned on, so a return takes back
-- exactly what its lines earned. `lines`: JSON [[sku, quantity, unit_price_minor, returned]]
-- of the lines that earn.
CREATE TABLE loyalty_orders (
    shop_id             TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    order_id            TEXT NOT NULL,
    profile_id          TEXT NOT NULL,
    earned_at           BIGINT NOT NULL,
    points              BIGINT NOT NULL,
    per_minor           BIGINT NOT NULL,
    multiplier_percent  BIGINT NOT NULL,
    rounding            TEXT NOT NULL,
    lines               TEXT NOT NULL,
    points_net          BIGINT NOT NULL,
    PRIMARY KEY (shop_id, order_id)
);
CREATE INDEX loyalty_orders_by_profile ON loyalty_orders (shop_id, profile_id);

-- One-time coupon codes: bought with points ('loyalty') or offered to win a cart back
-- ('cart_recovery'). `request_id` is the client's id of the request that made it.
CREATE TABLE coupons (
    shop_id            TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    code               TEXT NOT NULL,
    profile_id         TEXT NOT NULL,
    source             TEXT NOT NULL CHECK (source IN ('loyalty', 'cart_recovery')),
    request_id         TEXT NOT NULL,
    amount_minor       BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    points             BIGINT NOT NULL,
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    redeemed_at        BIGINT,
    redeemed_order_id  TEXT,
    PRIMARY KEY (shop_id, code),
    UNIQUE (shop_id, source, request_id)
);
CREATE INDEX coupons_by_profile ON coupons (shop_id, profile_id);
