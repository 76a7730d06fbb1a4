-- Browser sessions when no Redis is configured (tower-sessions records, serialized as JSON).
-- Expired rows are ignored when loading and deleted periodically.
CREATE TABLE sessions (
  id          text PRIMARY KEY,
  data        jsonb NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
