-- Conventions every table follows (later migrations reuse the functions defined here):
--   * `id uuid PRIMARY KEY DEFAULT uuid_generate_v7()`: time-ordered ids for index locality;
--   * audit columns `created_at`, `updated_at`, `created_by`, `updated_by`, `version`, kept by the
--     `audit_columns` trigger so no code path can forget or forge them. The acting user is read
--     from the transaction setting `oxcart.actor` (`SET LOCAL oxcart.actor = '<uuid>'`), NULL when
--     the system acts. `version` starts at 1 and grows by one on every update (optimistic locking:
--     writers say `WHERE id = $1 AND version = $2`).

-- A version 7 UUID: 48 bits of Unix milliseconds, then random bits. Built from a v4 UUID whose
-- first six bytes are replaced by the timestamp and whose version nibble is turned from 4 to 7.
CREATE FUNCTION uuid_generate_v7() RETURNS uuid
LANGUAGE sql VOLATILE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
              FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;

CREATE FUNCTION audit_columns() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  actor uuid := NULLIF(current_setting('oxcart.actor', true), '')::uuid;
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.created_at := now();
    NEW.created_by := actor;
    NEW.version := 1;
  ELSE
    NEW.created_at := OLD.created_at;
    NEW.created_by := OLD.created_by;
    NEW.version := OLD.version + 1;
  END IF;
  NEW.updated_at := now();
  NEW.updated_by := actor;
  RETURN NEW;
END
$$;

CREATE TABLE categories (
  id          uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  parent_id   uuid REFERENCES categories (id) ON DELETE RESTRICT,
  name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  description text NOT NULL DEFAULT '',
  position    integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  created_by  uuid,
  updated_by  uuid,
  version     integer NOT NULL DEFAULT 1,
  CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX categories_parent_idx ON categories (parent_id);
CREATE TRIGGER categories_audit BEFORE INSERT OR UPDATE ON categories
  FOR EACH ROW EXECUTE FUNCTION audit_columns();

CREATE TYPE product_status AS ENUM ('draft', 'active', 'archived');

CREATE TABLE products (
  id          uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  category_id uuid REFERENCES categories (id) ON DELETE SET NULL,
  name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  description text NOT NULL DEFAULT '',
  status      product_status NOT NULL DEFAULT 'draft',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  created_by  uuid,
  updated_by  uuid,
  version     integer NOT NULL DEFAULT 1
);
CREATE INDEX products_category_idx ON products (category_id);
-- The storefront lists active products newest first.
CREATE INDEX products_active_idx ON products (created_at DESC, id DESC) WHERE status = 'active';
CREATE TRIGGER products_audit BEFORE INSERT OR UPDATE ON products
  FOR EACH ROW EXECUTE FUNCTION audit_columns();

CREATE TABLE product_variants (
  id          uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  product_id  uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  sku         text NOT NULL CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  name        text NOT NULL DEFAULT '',
  options     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(options) = 'object'),
  price       numeric(12, 2) NOT NULL CHECK (price >= 0),
  currency    char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  stock       integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
  position    integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  created_by  uuid,
  updated_by  uuid,
  version     integer NOT NULL DEFAULT 1
);
-- SKUs are unique regardless of case: "ABC-1" and "abc-1" are the same article.
CREATE UNIQUE INDEX product_variants_sku_key ON product_variants (lower(sku));
CREATE INDEX product_variants_product_idx ON product_variants (product_id);
CREATE TRIGGER product_variants_audit BEFORE INSERT OR UPDATE ON product_variants
  FOR EACH ROW EXECUTE FUNCTION audit_columns();
