-- Staff write the catalogue: SEO fields, old slugs that still lead to their product, and reviews
-- whose approved ratings the product carries.

-- `audit_columns` learns to leave `version` alone when only the columns named as the trigger's
-- arguments changed: a sale moving a variant's stock, or a review moving a product's rating, is
-- not an edit, so it must not make a staff member's edit of the same row stale.
CREATE OR REPLACE FUNCTION audit_columns() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  actor uuid := NULLIF(current_setting('oxcart.actor', true), '')::uuid;
  bookkeeping text[] := ARRAY['created_at', 'created_by', 'updated_at', 'updated_by', 'version'];
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.created_at := now();
    NEW.created_by := actor;
    NEW.version := 1;
  ELSE
    NEW.created_at := OLD.created_at;
    NEW.created_by := OLD.created_by;
    IF TG_NARGS > 0
       AND to_jsonb(NEW) - bookkeeping - TG_ARGV = to_jsonb(OLD) - bookkeeping - TG_ARGV THEN
      NEW.version := OLD.version;
    ELSE
      NEW.version := OLD.version + 1;
    END IF;
  END IF;
  NEW.updated_at := now();
  NEW.updated_by := actor;
  RETURN NEW;
END
$$;

DROP TRIGGER product_variants_audit ON product_variants;
CREATE TRIGGER product_variants_audit BEFORE INSERT OR UPDATE ON product_variants
  FOR EACH ROW EXECUTE FUNCTION audit_columns('stock');

DROP TRIGGER products_audit ON products;
CREATE TRIGGER products_audit BEFORE INSERT OR UPDATE ON products
  FOR EACH ROW EXECUTE FUNCTION audit_columns('rating_average', 'rating_count');

ALTER TABLE products
  ADD COLUMN seo_title text NOT NULL DEFAULT '' CONSTRAINT products_seo_title_check
    CHECK (length(seo_title) <= 200),
  ADD COLUMN seo_description text NOT NULL DEFAULT '' CONSTRAINT products_seo_description_check
    CHECK (length(seo_description) <= 500);

-- A product's earlier slugs: links to them answer 301 to the current one. A slug belongs to one
-- product at a time: taking a slug (new product or rename) removes it from here.
CREATE TABLE product_slug_history (
  slug       text PRIMARY KEY,
  product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX product_slug_history_product_idx ON product_slug_history (product_id);

CREATE FUNCTION product_slug_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM product_slug_history WHERE slug = NEW.slug;
  IF TG_OP = 'UPDATE' AND NEW.slug <> OLD.slug THEN
    INSERT INTO product_slug_history (slug, product_id) VALUES (OLD.slug, NEW.id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER products_slug_history AFTER INSERT OR UPDATE OF slug ON products
  FOR EACH ROW EXECUTE FUNCTION product_slug_history();

CREATE TYPE review_status AS ENUM ('pending', 'approved', 'rejected');

CREATE TABLE reviews (
  id         uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  rating     smallint NOT NULL CONSTRAINT reviews_rating_check CHECK (rating BETWEEN 1 AND 5),
  title      text NOT NULL CONSTRAINT reviews_title_check CHECK (length(btrim(title)) BETWEEN 1 AND 200),
  body       text NOT NULL DEFAULT '' CONSTRAINT reviews_body_check CHECK (length(body) <= 5000),
  status     review_status NOT NULL DEFAULT 'pending',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  version    integer NOT NULL DEFAULT 1,
  CONSTRAINT reviews_one_per_customer UNIQUE (product_id, user_id)
);
CREATE INDEX reviews_product_idx ON reviews (product_id, status, created_at DESC, id DESC);
CREATE INDEX reviews_status_idx ON reviews (status, created_at, id);
CREATE INDEX reviews_user_idx ON reviews (user_id);
CREATE TRIGGER reviews_audit BEFORE INSERT OR UPDATE ON reviews
  FOR EACH ROW EXECUTE FUNCTION audit_columns();

-- The product's rating follows its approved reviews in the same transaction as every change to
-- them, whatever code path makes it. Statement-level, over the rows the statement changed, so a
-- bulk import of reviews recomputes each product once.
CREATE FUNCTION reviews_rating() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Lock the products first: the next statement's fresh snapshot then sees every review change
  -- committed before ours, so two moderators approving at once can't leave a stale average.
  PERFORM 1 FROM products WHERE id IN (SELECT product_id FROM changed_reviews) ORDER BY id FOR UPDATE;
  UPDATE products p
  SET rating_average = r.average, rating_count = r.count
  FROM (
    SELECT pp.id,
           (SELECT round(avg(rating), 2) FROM reviews WHERE product_id = pp.id AND status = 'approved') AS average,
           (SELECT count(*) FROM reviews WHERE product_id = pp.id AND status = 'approved')::integer AS count
    FROM products pp WHERE pp.id IN (SELECT product_id FROM changed_reviews)
  ) r
  WHERE p.id = r.id
    AND (p.rating_average IS DISTINCT FROM r.average OR p.rating_count <> r.count);
  RETURN NULL;
END
$$;

CREATE TRIGGER reviews_rating_insert AFTER INSERT ON reviews
  REFERENCING NEW TABLE AS changed_reviews FOR EACH STATEMENT EXECUTE FUNCTION reviews_rating();
CREATE TRIGGER reviews_rating_delete AFTER DELETE ON reviews
  REFERENCING OLD TABLE AS changed_reviews FOR EACH STATEMENT EXECUTE FUNCTION reviews_rating();
-- An update counts for the product a review belonged to and the one it belongs to now.
CREATE TRIGGER reviews_rating_update_new AFTER UPDATE ON reviews
  REFERENCING NEW TABLE AS changed_reviews FOR EACH STATEMENT EXECUTE FUNCTION reviews_rating();
CREATE TRIGGER reviews_rating_update_old AFTER UPDATE ON reviews
  REFERENCING OLD TABLE AS changed_reviews FOR EACH STATEMENT EXECUTE FUNCTION reviews_rating();
