-- Free attributes of a product ("colour", "size", …): a JSON object of strings, parsed at the
-- edge when imported.
ALTER TABLE products ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
