-- Discount codes staff manage (`pricing:write`). A code is stored upper-cased and compared
-- case-insensitively. `times_used` counts uses; checkout takes a use with a conditional update
-- (`times_used < usage_limit`), so two checkouts can't both take the last one. A use is not an
-- edit: it doesn't move `version`, so it never makes a staff edit stale.
CREATE TYPE discount_kind AS ENUM ('percent', 'fixed');

CREATE TABLE discount_codes (
  id                 uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  code               text NOT NULL CONSTRAINT discount_codes_code_key UNIQUE
                     CONSTRAINT discount_codes_code_check CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{1,31}$'),
  kind               discount_kind NOT NULL,
  value              numeric(12, 2) NOT NULL CONSTRAINT discount_codes_value_check
                     CHECK (value > 0 AND (kind <> 'percent' OR value <= 100)),
  min_subtotal       numeric(12, 2) CONSTRAINT discount_codes_min_subtotal_check CHECK (min_subtotal >= 0),
  starts_at          timestamptz,
  ends_at            timestamptz,
  usage_limit        integer CONSTRAINT discount_codes_usage_limit_check CHECK (usage_limit > 0),
  per_customer_limit integer CONSTRAINT discount_codes_per_customer_limit_check CHECK (per_customer_limit > 0),
  times_used         integer NOT NULL DEFAULT 0 CONSTRAINT discount_codes_times_used_check
                     CHECK (times_used >= 0 AND (usage_limit IS NULL OR times_used <= usage_limit)),
  active             boolean NOT NULL DEFAULT true,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  created_by         uuid,
  updated_by         uuid,
  version            integer NOT NULL DEFAULT 1,
  CONSTRAINT discount_codes_window_check CHECK (ends_at > starts_at)
);
CREATE TRIGGER discount_codes_audit BEFORE INSERT OR UPDATE ON discount_codes
  FOR EACH ROW EXECUTE FUNCTION audit_columns('times_used');
