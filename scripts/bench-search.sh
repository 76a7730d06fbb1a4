#!/usr/bin/env bash
# Search benchmark: seeds $SEED_PRODUCTS products (default 100 000), draws queries from the
# products' own words — whole words, two-word queries, prefixes as typed, and misspellings (two
# letters swapped, or one changed) — some with a filter or a sort, then loads, with wrk at
# $2 connections (default 16), for each engine present: the bare route `/health/live` (the
# baseline of the same run), `GET /api/v1/search` and `GET /api/v1/search/suggest`. PostgreSQL
# always; Meilisearch too when a binary is found (`MEILISEARCH_BIN` or `meilisearch` on PATH),
# after timing a full `server search reindex` (indexing throughput). Prints Markdown tables.
# Usage: scripts/bench-search.sh [seconds per target, default 10] [connections, default 16]
# SKIP_BUILD=1 reuses the existing release build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

duration=${1:-10}
connections=${2:-16}
export SEED_PRODUCTS=${SEED_PRODUCTS:-100000}
require_postgres
scripts/setup.sh --bench >/dev/null
if [ "${SKIP_BUILD:-}" != 1 ]; then
  say "bench-search: building the release"
  SQLX_OFFLINE=true cargo leptos build --release
  precompress_site
fi
export RATE_LIMIT_WRITES=${RATE_LIMIT_WRITES:-1000000000/60}
work=$(mktemp -d)
meili_pid=
cleanup() {
  stop_server
  if [ -n "$meili_pid" ]; then kill "$meili_pid" 2>/dev/null; wait "$meili_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

say "bench-search: seeding $SEED_PRODUCTS products and starting the server (PostgreSQL engine)"
started=$SECONDS
start_server bench-search target/bench-search-server.log
say "bench-search: seeded and started in $((SECONDS - started)) s on $BASE_URL"

# Queries from 3 000 random active products' names, written as request paths.
psql "$DATABASE_URL" -qAt -c "SELECT name FROM products WHERE status = 'active' ORDER BY random() LIMIT 3000" >"$work/names"
psql "$DATABASE_URL" -qAt -c "SELECT slug FROM categories ORDER BY random() LIMIT 20" >"$work/categories"
python3 - "$work" <<'PY'
import random, re, sys, urllib.parse
work = sys.argv[1]
random.seed(7)
names = [l.strip() for l in open(f"{work}/names") if l.strip()]
categories = [l.strip() for l in open(f"{work}/categories") if l.strip()]
def words(name):
    return [w for w in re.split(r"[^0-9a-z]+", name.lower()) if len(w) >= 3]
def typo(word):
    if len(word) < 5:
        return word
    i = random.randrange(1, len(word) - 2)
    if random.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + random.choice("aeioustr") + word[i + 1:]
search, suggest = [], []
for name in names:
    ws = words(name)
    if not ws:
        continue
    w = random.choice(ws)
    kind = random.random()
    if kind < 0.35:
        q = w
    elif kind < 0.55 and len(ws) >= 2:
        q = " ".join(random.sample(ws, 2))
    elif kind < 0.75:
        q = w[: max(3, len(w) // 2)]
    else:
        q = typo(w)
    params = {"q": q}
    extra = random.random()
    if extra < 0.15 and categories:
        params["category"] = random.choice(categories)
    elif extra < 0.25:
        params["in_stock"] = "true"
    elif extra < 0.35:
        params["sort"] = "price_asc"
    search.append("/api/v1/search?" + urllib.parse.urlencode(params))
    typed = w[: random.randint(2, len(w))]
    suggest.append("/api/v1/search/suggest?" + urllib.parse.urlencode({"q": typo(typed) if random.random() < 0.2 else typed}))
open(f"{work}/search", "w").write("\n".join(search) + "\n")
open(f"{work}/suggest", "w").write("\n".join(suggest) + "\n")
open(f"{work}/bare", "w").write("/health/live\n")
PY
say "bench-search: $(wc -l <"$work/search") search and $(wc -l <"$work/suggest") suggest queries, e.g. $(sed -n 1p "$work/search"), $(sed -n 2p "$work/search"), $(sed -n 4p "$work/search")"

measure() {
  BENCH_QUERIES=$1 wrk -t2 -c4 -d2s -s bench/search.lua "$BASE_URL" >/dev/null
  BENCH_QUERIES=$1 wrk -t2 -c"$connections" -d"${duration}s" -s bench/search.lua "$BASE_URL" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}'
}

table() {
  local engine=$1 baseline=
  printf '\n%s engine, %s products, %s connections, %s s per target\n\n' "$engine" "$SEED_PRODUCTS" "$connections" "$duration"
  printf '| target | req/s | vs. baseline | p50 ms | p95 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|---:|---:|\n'
  for target in "bare route (baseline)|bare" "search|search" "suggest|suggest"; do
    read -r rps p50 p95 p99 errors < <(measure "$work/${target#*|}")
    baseline=${baseline:-$rps}
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "${target%%|*}" "$rps" \
      "$(awk -v a="$rps" -v b="$baseline" 'BEGIN {printf "%.3f", a / b}')" "$p50" "$p95" "$p99" "$errors"
  done
}

table postgres
engine=$(curl -sS "$BASE_URL/api/v1/search?q=x" | jq -r .meta.engine)
[ "$engine" = postgres ] || fail "expected the PostgreSQL engine, got $engine"

meili_bin=${MEILISEARCH_BIN:-$(command -v meilisearch || true)}
if [ -z "$meili_bin" ]; then
  say "bench-search: no Meilisearch binary; Meilisearch engine not measured"
  exit 0
fi
meili_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export MEILISEARCH_URL="http://127.0.0.1:$meili_port" MEILISEARCH_API_KEY="bench-master-key-0123456789abcdef"
"$meili_bin" --http-addr "127.0.0.1:$meili_port" --master-key "$MEILISEARCH_API_KEY" --db-path "$work/meili/data.ms" \
  --dump-dir "$work/meili/dumps" --no-analytics --env development >"$work/meili.log" 2>&1 &
meili_pid=$!
deadline=$((SECONDS + 60))
until curl -fsS "$MEILISEARCH_URL/health" >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || { cat "$work/meili.log"; fail "Meilisearch did not start"; }
  sleep 0.2
done
# The PostgreSQL-only server stops; the reindex fills the index, then the shop serves from it.
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
say "bench-search: full reindex into Meilisearch ($("$meili_bin" --version))"
target/release/server search reindex 2>"$work/reindex.log" | tee "$work/reindexed"
tail -n1 "$work/reindex.log"
log=target/bench-search-server-meili.log
: >"$log"
target/release/server serve >"$log" 2>&1 &
SERVER_PID=$!
port=
deadline=$((SECONDS + 60))
while [ -z "$port" ]; do
  port=$(sed -n 's#^Oxcart listening on http://[^:]*:\([0-9]*\)$#\1#p' "$log" | head -n1)
  [ -n "$port" ] && break
  [ $SECONDS -lt $deadline ] || { cat "$log"; fail "the server did not start"; }
  sleep 0.2
done
BASE_URL="http://127.0.0.1:$port"
deadline=$((SECONDS + 60))
until [ "$(curl -sS "$BASE_URL/api/v1/search?q=x" | jq -r .meta.engine)" = meilisearch ]; do
  [ $SECONDS -lt $deadline ] || fail "search never answered from Meilisearch"
  sleep 0.5
done
table meilisearch
