-- Identity: users, their addresses, refresh tokens (rotated, grouped in families), and single-use
-- tokens for e-mail verification and password reset. Tokens are stored only as SHA-256 hashes.

CREATE TYPE user_role AS ENUM ('customer', 'staff', 'admin');

CREATE TABLE users (
  id             uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  -- Stored normalised (trimmed, lower-case); unique case-insensitively all the same.
  email          text NOT NULL CHECK (email = lower(btrim(email)) AND length(email) BETWEEN 3 AND 254),
  display_name   text NOT NULL CHECK (length(btrim(display_name)) BETWEEN 1 AND 100),
  password_hash  text NOT NULL,
  role           user_role NOT NULL DEFAULT 'customer',
  active         boolean NOT NULL DEFAULT true,
  email_verified boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  created_by     uuid,
  updated_by     uuid,
  version        integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_created_idx ON users (created_at DESC, id DESC);
CREATE TRIGGER users_audit BEFORE INSERT OR UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION audit_columns();

CREATE TABLE addresses (
  id           uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  full_name    text NOT NULL CHECK (length(btrim(full_name)) BETWEEN 1 AND 100),
  line1        text NOT NULL CHECK (length(btrim(line1)) BETWEEN 1 AND 200),
  line2        text NOT NULL DEFAULT '' CHECK (length(line2) <= 200),
  city         text NOT NULL CHECK (length(btrim(city)) BETWEEN 1 AND 100),
  region       text NOT NULL DEFAULT '' CHECK (length(region) <= 100),
  postal_code  text NOT NULL CHECK (length(btrim(postal_code)) BETWEEN 1 AND 20),
  country      char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  phone        text NOT NULL DEFAULT '' CHECK (length(phone) <= 30),
  is_default   boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  created_by   uuid,
  updated_by   uuid,
  version      integer NOT NULL DEFAULT 1
);
CREATE INDEX addresses_user_idx ON addresses (user_id, created_at);
-- At most one default shipping address per user.
CREATE UNIQUE INDEX addresses_one_default ON addresses (user_id) WHERE is_default;
CREATE TRIGGER addresses_audit BEFORE INSERT OR UPDATE ON addresses
  FOR EACH ROW EXECUTE FUNCTION audit_columns();

-- One row per refresh token ever issued. A login starts a family; each refresh spends the token
-- (used_at) and issues its successor in the same family. Presenting a spent token revokes the
-- whole family.
CREATE TABLE refresh_tokens (
  id          uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id   uuid NOT NULL,
  token_hash  bytea NOT NULL UNIQUE,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

CREATE TYPE user_token_purpose AS ENUM ('verify_email', 'reset_password');

CREATE TABLE user_tokens (
  id          uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose     user_token_purpose NOT NULL,
  token_hash  bytea NOT NULL UNIQUE,
  -- For e-mail verification: the address being verified (an e-mail change re-verifies).
  email       text,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_tokens_user_idx ON user_tokens (user_id, purpose);
