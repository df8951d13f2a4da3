-- The secret key sealed with the server's master key (keyring.rs): needed to check the HMAC of
-- customer tokens. Authentication still compares `secret_key_hash` only.
ALTER TABLE shops ADD COLUMN secret_key_sealed TEXT NOT NULL DEFAULT '';
