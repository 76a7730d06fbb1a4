#!/usr/bin/env bash
# End-to-end harness: builds the release, starts it on a fresh database (migrated, demo products)
# and an OS-chosen port, runs Playwright in Debian's Chromium against it, then stops the server
# and drops the database. Extra arguments go to Playwright (e.g. a test file or -g "name").
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

require_postgres
if [ "${SKIP_BUILD:-}" != 1 ]; then
  say "e2e: building the release"
  SQLX_OFFLINE=true cargo leptos build --release
  precompress_site
fi

db="oxcart_e2e_$(date +%s)_$$"
export DATABASE_URL; DATABASE_URL=$(database_url_for "$db")
export SITE_ROOT=target/site OXCART_PORT=0 LOG_FORMAT=json RUST_LOG=${RUST_LOG:-warn}
# Mail goes to a fresh outbox the tests read; every browser shares 127.0.0.1, so the per-address
# limits are raised (the limits themselves are covered by the API tests).
export MAIL_OUTBOX_DIR; MAIL_OUTBOX_DIR=$(mktemp -d -t oxcart-e2e-outbox.XXXXXX)
export RATE_LIMIT_LOGIN=1000/60 RATE_LIMIT_REGISTER=1000/60 RATE_LIMIT_PASSWORD_RESET=1000/60
export E2E_ADMIN_EMAIL=admin@example.com E2E_ADMIN_PASSWORD="shop keeper passphrase 42"
log=end2end/.server.log
server_pid=

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true
  fi
  psql "$(database_url_for postgres)" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$MAIL_OUTBOX_DIR"
}
trap cleanup EXIT

target/release/server migrate >/dev/null
target/release/server seed >/dev/null
OXCART_ADMIN_PASSWORD=$E2E_ADMIN_PASSWORD target/release/server create-admin --email "$E2E_ADMIN_EMAIL" >/dev/null
target/release/server serve >"$log" 2>&1 &
server_pid=$!

# Wait for the line with the bound port (bounded by a deadline, no fixed sleeps).
deadline=$((SECONDS + 60)); port=
while [ -z "$port" ]; do
  port=$(sed -n 's#^Oxcart listening on http://[^:]*:\([0-9]*\)$#\1#p' "$log" | head -n1)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log"; fail "e2e: the server exited during start-up"; }
  [ $SECONDS -lt $deadline ] || { cat "$log"; fail "e2e: the server did not start within 60 s"; }
  sleep 0.2
done
export BASE_URL="http://127.0.0.1:$port"
say "e2e: server on $BASE_URL (database $db); running Playwright"
npx playwright test --config end2end/playwright.config.ts "$@"
