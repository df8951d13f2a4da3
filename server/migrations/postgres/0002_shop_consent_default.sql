-- What a profile's consent is before the shopper said anything: 'opt_in' (nothing until the
-- shopper agrees; the default, as EU law requires) or 'opt_out'.
ALTER TABLE shops ADD COLUMN consent_default TEXT NOT NULL DEFAULT 'opt_in'
    CHECK (consent_default IN ('opt_in', 'opt_out'));
