-- Profiles: one per person as far as the shop can tell; the ids that lead to them; their
-- events. A merged profile keeps a row pointing at the profile that absorbed it.

CREATE TABLE profiles (
    shop_id                  TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    profile_id               TEXT NOT NULL,
    merged_into              TEXT,
    -- NULL: the shopper has not chosen, the shop's default applies; else 0 or 1.
    consent_tracking         BIGINT,
    consent_personalisation  BIGINT,
    consent_at               BIGINT,
    consent_source           TEXT,
    created_at               BIGINT NOT NULL,
    PRIMARY KEY (shop_id, profile_id)
);

CREATE TABLE profile_ids (
    shop_id      TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('visitor', 'customer', 'card')),
    external_id  TEXT NOT NULL,
    profile_id   TEXT NOT NULL,
    linked_at    BIGINT NOT NULL,
    PRIMARY KEY (shop_id, kind, external_id),
    FOREIGN KEY (shop_id, profile_id) REFERENCES profiles(shop_id, profile_id) ON DELETE CASCADE
);

CREATE INDEX profile_ids_by_profile ON profile_ids (shop_id, profile_id);

CREATE TABLE events (
    shop_id            TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    event_id           TEXT NOT NULL,
    profile_id         TEXT NOT NULL,
    type               TEXT NOT NULL,
    source             TEXT NOT NULL CHECK (source IN ('browser', 'server')),
    occurred_at        BIGINT NOT NULL,
    received_at        BIGINT NOT NULL,
    sku                TEXT,
    quantity           BIGINT,
    order_id           TEXT,
    channel            TEXT,
    store_id           TEXT,
    recommendation_id  TEXT,
    -- The event as received, JSON.
    payload            TEXT NOT NULL,
    PRIMARY KEY (shop_id, event_id)
);

CREATE INDEX events_by_profile ON events (shop_id, profile_id, occurred_at);

ALTER TABLE purchase_lines ADD COLUMN profile_id TEXT;
CREATE INDEX purchase_lines_by_profile ON purchase_lines (shop_id, profile_id);
