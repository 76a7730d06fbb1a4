#!/usr/bin/env bash
# Everything CI checks, in order: format, clippy (warnings are errors), the sqlx offline data,
# unit and integration tests (real PostgreSQL and Redis), and the end-to-end suite (real Chromium).
# Exits non-zero on the first failure. Needs PostgreSQL and Redis running (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

require_postgres
require_redis
# The disk is shared with other machines' work: a full one fails every test at once, so say
# how much is left where a failed run's log will show it.
say "free disk: $(df -h --output=avail . | tail -1 | tr -d ' ') (build directory: $(du -sh target 2>/dev/null | cut -f1 || echo none))"
scripts/setup.sh --e2e
export SQLX_OFFLINE=true DATABASE_URL

say "format"
cargo fmt --all --check

say "clippy (server + app with ssr, app with hydrate for wasm)"
cargo clippy -p server -p app --all-targets --features app/ssr -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

say "sqlx offline data is current"
sqlx_db=$(database_url_for oxcart_sqlx_check)
# Recreated each run: an edited migration must not meet the previous run's schema.
psql "$(database_url_for postgres)" -qc "DROP DATABASE IF EXISTS oxcart_sqlx_check WITH (FORCE)" >/dev/null
DATABASE_URL=$sqlx_db cargo sqlx database create
DATABASE_URL=$sqlx_db cargo sqlx migrate run --source migrations >/dev/null
DATABASE_URL=$sqlx_db SQLX_OFFLINE=false cargo sqlx prepare --workspace --check -- -p server

cleanup_test_databases() {
  psql "$(database_url_for postgres)" -qAt -c "SELECT datname FROM pg_database WHERE datname LIKE 'oxcart\_test\_%'" |
    while read -r db; do psql "$(database_url_for postgres)" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null; done
}
trap cleanup_test_databases EXIT

say "unit and integration tests"
# A deadline on top of the tests' own: a stuck test fails the run instead of eating CI's time.
# One invocation for both crates, with the features clippy used: one dependency build, not two.
timeout --signal=KILL 2400 cargo test -p app -p server --features app/ssr

# One release build serves every stage that needs a running server.
say "release build (used by the end-to-end suite and the API contract run)"
SQLX_OFFLINE=true cargo leptos build --release
precompress_site

say "end-to-end tests"
SKIP_BUILD=1 end2end/run.sh

say "API contract: schemathesis against the running release, as a customer and as an admin"
scripts/schemathesis.sh

say "all checks passed"
