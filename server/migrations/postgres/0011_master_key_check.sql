-- The master key's check value (keyring.rs): HMAC-SHA256 of a fixed label under the master
-- key, written by the first process that uses a key with this database. A process started
-- with another key refuses to start instead of sealing new shops' secrets with it.
CREATE TABLE master_key_check (
    id           BIGINT PRIMARY KEY CHECK (id = 1),
    check_value  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
