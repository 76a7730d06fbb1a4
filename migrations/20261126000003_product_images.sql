-- Product images. The bytes live in the media store (a local directory or S3-compatible object
-- storage), addressed by the SHA-256 of the cleaned original (`content_hash`), so the same picture
-- uploaded twice — or shared by demo products — is stored once, and every stored file can be
-- served with a year's `immutable` caching. A row starts `processing`; a background job writes
-- its renditions (`rendition_widths`, WebP and a JPEG/PNG fallback each) and marks it `ready`.
CREATE TYPE image_status AS ENUM ('processing', 'ready', 'failed');

CREATE TABLE product_images (
  id               uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  product_id       uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  position         integer NOT NULL DEFAULT 0 CONSTRAINT product_images_position_check CHECK (position >= 0),
  alt              text NOT NULL DEFAULT '' CONSTRAINT product_images_alt_check CHECK (length(alt) <= 300),
  content_hash     text NOT NULL CONSTRAINT product_images_content_hash_check CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  -- the original's format, which the fallback renditions keep: `jpeg` for photos, `png` where
  -- transparency matters
  format           text NOT NULL CONSTRAINT product_images_format_check CHECK (format IN ('jpeg', 'png')),
  width            integer NOT NULL CONSTRAINT product_images_width_check CHECK (width > 0),
  height           integer NOT NULL CONSTRAINT product_images_height_check CHECK (height > 0),
  status           image_status NOT NULL DEFAULT 'processing',
  rendition_widths integer[] NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  created_by       uuid,
  updated_by       uuid,
  version          integer NOT NULL DEFAULT 1
);
CREATE INDEX product_images_product_idx ON product_images (product_id, position, id);
CREATE INDEX product_images_content_hash_idx ON product_images (content_hash);

-- The job's work (status, renditions) is not a staff edit: it must not make an edit stale.
CREATE TRIGGER product_images_audit BEFORE INSERT OR UPDATE ON product_images
  FOR EACH ROW EXECUTE FUNCTION audit_columns('status', 'rendition_widths');
