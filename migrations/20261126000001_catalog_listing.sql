-- The catalogue's listing fields: a variant can be switched off (and then neither prices nor
-- stocks the product), products carry their approved reviews' average and count (denormalised
-- for listing and sorting; kept in step by the reviews that come with the catalogue issue),
-- and the storefront can feature products.
ALTER TABLE product_variants
  ADD COLUMN active boolean NOT NULL DEFAULT true,
  ADD COLUMN compare_at_price numeric(12, 2) CONSTRAINT product_variants_compare_at_price_check
    CHECK (compare_at_price IS NULL OR compare_at_price >= 0),
  ADD COLUMN low_stock_threshold integer NOT NULL DEFAULT 5 CONSTRAINT product_variants_low_stock_threshold_check
    CHECK (low_stock_threshold >= 0);

ALTER TABLE products
  ADD COLUMN featured boolean NOT NULL DEFAULT false,
  ADD COLUMN rating_average numeric(3, 2) CONSTRAINT products_rating_average_check
    CHECK (rating_average IS NULL OR rating_average BETWEEN 1 AND 5),
  ADD COLUMN rating_count integer NOT NULL DEFAULT 0 CONSTRAINT products_rating_count_check
    CHECK (rating_count >= 0);

-- Name and SKU search (`q`) and the price filters.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);
CREATE INDEX product_variants_sku_trgm_idx ON product_variants USING gin (sku gin_trgm_ops);
CREATE INDEX product_variants_price_idx ON product_variants (product_id, price) WHERE active;
