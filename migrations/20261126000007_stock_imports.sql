-- The back office: stock adjustments (every change of stock staff make, with its reason, who and
-- when) and catalogue imports (a CSV file, checked and applied by a background job whose
-- progress and result are kept here).

CREATE TYPE stock_reason AS ENUM ('received', 'damaged', 'count_correction');

CREATE TABLE stock_adjustments (
  id          uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  variant_id  uuid NOT NULL REFERENCES product_variants (id) ON DELETE CASCADE,
  delta       integer NOT NULL CONSTRAINT stock_adjustments_delta_check CHECK (delta <> 0),
  stock_after integer NOT NULL CONSTRAINT stock_adjustments_stock_after_check CHECK (stock_after >= 0),
  reason      stock_reason NOT NULL,
  note        text NOT NULL DEFAULT '',
  actor_id    uuid,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX stock_adjustments_variant_idx ON stock_adjustments (variant_id, created_at DESC);

-- `checking` and `applying` while the job runs; `failed` when a line was wrong (nothing was
-- applied); `done` once applied (conflicting lines are reported in `errors` and left alone).
CREATE TYPE import_status AS ENUM ('queued', 'checking', 'applying', 'done', 'failed');

CREATE TABLE catalog_imports (
  id          uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  filename    text NOT NULL DEFAULT '',
  content     bytea NOT NULL,
  status      import_status NOT NULL DEFAULT 'queued',
  total_lines integer NOT NULL DEFAULT 0,
  done_lines  integer NOT NULL DEFAULT 0,
  created     integer NOT NULL DEFAULT 0,
  updated     integer NOT NULL DEFAULT 0,
  unchanged   integer NOT NULL DEFAULT 0,
  -- [{"line": 3, "column": "price", "message": "…", "conflict": false}, …]
  errors      jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_by  uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX catalog_imports_created_idx ON catalog_imports (created_at DESC);
