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

# Mail goes to a fresh outbox the tests read; every browser shares 127.0.0.1, so the per-address
# limits are raised (the limits themselves are covered by the API tests).
export MAIL_OUTBOX_DIR; MAIL_OUTBOX_DIR=$(mktemp -d -t oxcart-e2e-outbox.XXXXXX)
export RATE_LIMIT_LOGIN=1000/60 RATE_LIMIT_REGISTER=1000/60 RATE_LIMIT_PASSWORD_RESET=1000/60
export E2E_ADMIN_EMAIL=admin@example.com E2E_ADMIN_PASSWORD="shop keeper passphrase 42"

cleanup() {
  stop_server
  rm -rf "$MAIL_OUTBOX_DIR"
}
trap cleanup EXIT

start_server e2e end2end/.server.log
OXCART_ADMIN_PASSWORD=$E2E_ADMIN_PASSWORD target/release/server create-admin --email "$E2E_ADMIN_EMAIL" >/dev/null
say "e2e: server on $BASE_URL (database $SERVER_DB); running Playwright"
if ! npx playwright test --config end2end/playwright.config.ts "$@"; then
  say "e2e: failed; the server's log follows"
  cat end2end/.server.log
  exit 1
fi
