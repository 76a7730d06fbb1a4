#!/usr/bin/env bash
# Builds and serves the shop on http://127.0.0.1:3000 (OXCART_PORT to change), from a fresh clone:
# installs what is missing, creates and migrates the database, seeds demo products into an empty
# catalogue, builds a release and serves it. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

require_postgres
scripts/setup.sh

say "building the release (the first build takes a few minutes)"
SQLX_OFFLINE=true cargo leptos build --release
precompress_site

export SITE_ROOT=${SITE_ROOT:-target/site} DATABASE_URL
say "preparing the database"
target/release/server migrate
# A few hundred generated products besides the hand-written ones, so a new user sees a real shop.
target/release/server seed --products "${SEED_PRODUCTS:-300}"

say "serving — open http://${OXCART_HOST:-127.0.0.1}:${OXCART_PORT:-3000}/ (API docs at /api/docs, health at /health); Ctrl-C stops"
exec target/release/server serve
