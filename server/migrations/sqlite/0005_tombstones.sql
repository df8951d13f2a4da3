-- What erasure (GDPR Art. 17) leaves behind: a digest of each erased id, so that a later
-- import or event naming the same id is refused instead of bringing the person back. The
-- digest (SHA-256 of shop, kind and id) identifies no one by itself.
CREATE TABLE tombstones (
    shop_id    TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    id_digest  TEXT NOT NULL,
    erased_at  INTEGER NOT NULL,
    PRIMARY KEY (shop_id, id_digest)
);
