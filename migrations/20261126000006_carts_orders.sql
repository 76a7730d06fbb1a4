-- Carts, orders, idempotency keys and the scheduler's claims.
--
-- A cart belongs to an account (`user_id`) or to a guest, who holds an opaque token; only its
-- SHA-256 is stored (`token_hash`). Items keep the unit price seen when they were added, so a
-- price changed since can be flagged. Checkout turns a cart into an order in one transaction:
-- stock is taken with conditional updates (the `stock >= 0` check backs them), a discount use
-- with `times_used < usage_limit`, and every line is copied as a snapshot (name, SKU, prices,
-- tax), so later catalogue edits never change an order.

CREATE TABLE carts (
  id                 uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  user_id            uuid CONSTRAINT carts_user_id_key UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  token_hash         bytea CONSTRAINT carts_token_hash_key UNIQUE,
  discount_code_id   uuid REFERENCES discount_codes (id) ON DELETE SET NULL,
  -- what the shopper chose so far at checkout, for totals with shipping and tax
  shipping_method_id uuid REFERENCES shipping_methods (id) ON DELETE SET NULL,
  country            text CONSTRAINT carts_country_check CHECK (country ~ '^[A-Z]{2}$'),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  created_by         uuid,
  updated_by         uuid,
  version            integer NOT NULL DEFAULT 1,
  CONSTRAINT carts_owner_check CHECK ((user_id IS NULL) <> (token_hash IS NULL))
);
CREATE INDEX carts_updated_idx ON carts (updated_at);
CREATE TRIGGER carts_audit BEFORE INSERT OR UPDATE ON carts
  FOR EACH ROW EXECUTE FUNCTION audit_columns();

CREATE TABLE cart_items (
  id            uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  cart_id       uuid NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
  variant_id    uuid NOT NULL REFERENCES product_variants (id) ON DELETE CASCADE,
  quantity      integer NOT NULL CONSTRAINT cart_items_quantity_check CHECK (quantity BETWEEN 1 AND 99),
  -- the unit price when the item was added (or its quantity last changed)
  added_price   numeric(12, 2) NOT NULL CONSTRAINT cart_items_added_price_check CHECK (added_price >= 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  created_by    uuid,
  updated_by    uuid,
  version       integer NOT NULL DEFAULT 1,
  CONSTRAINT cart_items_variant_key UNIQUE (cart_id, variant_id)
);
CREATE INDEX cart_items_variant_idx ON cart_items (variant_id);
CREATE TRIGGER cart_items_audit BEFORE INSERT OR UPDATE ON cart_items
  FOR EACH ROW EXECUTE FUNCTION audit_columns();

CREATE TYPE order_status AS ENUM ('pending_payment', 'paid', 'fulfilled', 'delivered', 'cancelled');

-- Order numbers people read: OX-10001, OX-10002, …
CREATE SEQUENCE order_numbers START 10001;

CREATE TABLE orders (
  id                   uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  number               text NOT NULL DEFAULT 'OX-' || nextval('order_numbers')
                       CONSTRAINT orders_number_key UNIQUE,
  user_id              uuid REFERENCES users (id) ON DELETE SET NULL,
  email                text NOT NULL,
  status               order_status NOT NULL DEFAULT 'pending_payment',
  currency             char(3) NOT NULL,
  subtotal             numeric(12, 2) NOT NULL,
  -- (0 <= discount <= subtotal also keeps the subtotal from going below zero)
  discount             numeric(12, 2) NOT NULL CONSTRAINT orders_discount_check
                       CHECK (discount >= 0 AND discount <= subtotal),
  shipping             numeric(12, 2) NOT NULL CONSTRAINT orders_shipping_check CHECK (shipping >= 0),
  tax                  numeric(12, 2) NOT NULL CONSTRAINT orders_tax_check CHECK (tax >= 0),
  total                numeric(12, 2) NOT NULL CONSTRAINT orders_total_check
                       CHECK (total = subtotal - discount + shipping + tax),
  tax_rate             numeric(6, 3) NOT NULL,
  -- the code and method as they were (no foreign keys: deleting a code or method changes no order)
  discount_code_id     uuid,
  discount_code        text,
  shipping_method_id   uuid,
  shipping_method_name text NOT NULL,
  shipping_address     jsonb NOT NULL,
  billing_address      jsonb NOT NULL,
  payment_provider     text NOT NULL,
  tracking_number      text,
  refunded             numeric(12, 2) CONSTRAINT orders_refunded_check CHECK (refunded >= 0),
  -- SHA-256 of the key in a guest's order link
  access_key_hash      bytea NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  created_by           uuid,
  updated_by           uuid,
  version              integer NOT NULL DEFAULT 1
);
CREATE INDEX orders_user_idx ON orders (user_id, created_at DESC);
CREATE INDEX orders_created_idx ON orders (created_at DESC);
CREATE INDEX orders_email_idx ON orders (lower(email));
CREATE INDEX orders_unpaid_idx ON orders (created_at) WHERE status = 'pending_payment';
CREATE INDEX orders_discount_idx ON orders (discount_code_id) WHERE discount_code_id IS NOT NULL;
CREATE TRIGGER orders_audit BEFORE INSERT OR UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION audit_columns();

CREATE TABLE order_items (
  id           uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  order_id     uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  position     integer NOT NULL,
  -- a variant that orders refer to is switched off, never deleted (see the catalogue's delete)
  variant_id   uuid NOT NULL REFERENCES product_variants (id) ON DELETE RESTRICT,
  product_id   uuid NOT NULL,
  product_name text NOT NULL,
  variant_name text NOT NULL,
  sku          text NOT NULL,
  options      jsonb NOT NULL,
  unit_price   numeric(12, 2) NOT NULL CONSTRAINT order_items_unit_price_check CHECK (unit_price >= 0),
  quantity     integer NOT NULL CONSTRAINT order_items_quantity_check CHECK (quantity > 0),
  amount       numeric(12, 2) NOT NULL,
  discount     numeric(12, 2) NOT NULL,
  tax          numeric(12, 2) NOT NULL,
  total        numeric(12, 2) NOT NULL CONSTRAINT order_items_total_check CHECK (total = amount - discount + tax),
  CONSTRAINT order_items_position_key UNIQUE (order_id, position)
);
CREATE INDEX order_items_variant_idx ON order_items (variant_id);

-- Every change of an order's status: who, when, from, to, why.
CREATE TABLE order_transitions (
  id          uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  order_id    uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  from_status order_status,
  to_status   order_status NOT NULL,
  actor_id    uuid,
  note        text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX order_transitions_order_idx ON order_transitions (order_id, created_at);

-- `Idempotency-Key`s of mutating API requests, per caller (`scope`): the request's hash and,
-- once answered, the answer to replay. A row without a status is a request in flight.
CREATE TABLE idempotency_keys (
  scope        text NOT NULL,
  key          text NOT NULL,
  request_hash bytea NOT NULL,
  status       integer,
  headers      jsonb,
  body         bytea,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- The scheduler: each recurring job's run for a time slot is claimed by inserting its row, so
-- whichever instance claims it enqueues it and every other instance finds it taken.
CREATE TABLE scheduled_runs (
  job        text NOT NULL,
  slot       timestamptz NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, slot)
);
