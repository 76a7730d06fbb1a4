-- Pricing rules staff manage (`pricing:write`): tax rates by the shipping address's country and
-- shipping methods. Amounts are in the store currency; rates are percentages. Checkout reads
-- them; carts and orders are priced by `app::domain::pricing`.
CREATE TABLE tax_rates (
  country    text PRIMARY KEY CONSTRAINT tax_rates_country_check CHECK (country ~ '^[A-Z]{2}$'),
  rate       numeric(6, 3) NOT NULL CONSTRAINT tax_rates_rate_check CHECK (rate >= 0 AND rate <= 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  version    integer NOT NULL DEFAULT 1
);
CREATE TRIGGER tax_rates_audit BEFORE INSERT OR UPDATE ON tax_rates
  FOR EACH ROW EXECUTE FUNCTION audit_columns();

CREATE TABLE shipping_methods (
  id         uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  name       text NOT NULL CONSTRAINT shipping_methods_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 100),
  price      numeric(12, 2) NOT NULL CONSTRAINT shipping_methods_price_check CHECK (price >= 0),
  -- orders whose goods (after the discount) come to at least this ship free
  free_above numeric(12, 2) CONSTRAINT shipping_methods_free_above_check CHECK (free_above >= 0),
  -- the ISO 3166-1 alpha-2 countries it ships to, at least one
  countries  text[] NOT NULL CONSTRAINT shipping_methods_countries_check
             CHECK (cardinality(countries) BETWEEN 1 AND 300
                    AND array_to_string(countries, ',') ~ '^[A-Z]{2}(,[A-Z]{2})*$'),
  active     boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  version    integer NOT NULL DEFAULT 1
);
CREATE INDEX shipping_methods_countries_idx ON shipping_methods USING gin (countries);
CREATE TRIGGER shipping_methods_audit BEFORE INSERT OR UPDATE ON shipping_methods
  FOR EACH ROW EXECUTE FUNCTION audit_columns();
