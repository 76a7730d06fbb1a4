#!/usr/bin/env bash
# Load benchmark: builds the release, starts it on a fresh database with a generated catalogue
# ($SEED_PRODUCTS, default 10 000 products with 1–6 variants each), and loads each target in
# turn with wrk from a second process on loopback. The first target is the
# baseline, `/health/live`: a route that touches nothing, so it measures the server and its
# middleware alone. The machines are shared and noisy, so the other figures are read as a ratio
# to it, measured in the same run. Prints a Markdown table for BENCHMARKS.md.
# It also prints the server's peak memory (RSS) and the weight of a product page's first load
# (HTML, JS, wasm and CSS as served with brotli).
# Usage: scripts/bench.sh [seconds per target, default 10] [connections, default 64]
# SKIP_BUILD=1 reuses the existing release build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

duration=${1:-10}
connections=${2:-64}
export SEED_PRODUCTS=${SEED_PRODUCTS:-10000}
require_postgres
scripts/setup.sh --bench >/dev/null
if [ "${SKIP_BUILD:-}" != 1 ]; then
  say "bench: building the release"
  SQLX_OFFLINE=true cargo leptos build --release
  precompress_site
fi

# The server runs with its defaults (in-process cache unless REDIS_URL is set, job workers on;
# `start_server` turns logging down). The page targets are GETs, which no rate limit counts; the
# checkout's writes come from one address, so the write limit is raised for it.
export RATE_LIMIT_WRITES=${RATE_LIMIT_WRITES:-1000000000/60}
trap stop_server EXIT
say "bench: seeding $SEED_PRODUCTS products and starting the server"
seed_started=$SECONDS
start_server bench target/bench-server.log
say "bench: server on $BASE_URL (seeded and started in $((SECONDS - seed_started)) s); ${duration}s per target, $connections connections, 2 wrk threads"

# A product and a category to load: the first of the list, and its category's top level.
first=$(curl -sS "$BASE_URL/api/v1/products?per_page=1&sort=name")
product_id=$(jq -er '.data[0].id' <<<"$first")
product_slug=$(jq -er '.data[0].slug' <<<"$first")
category_slug=$(curl -sS "$BASE_URL/api/v1/categories" | jq -er '.data[0].slug')

# name|path — the bare route first: it is the baseline. BENCH_TARGETS="name|path;…" replaces the
# list (its first entry is then the baseline), e.g. to compare two builds on the routes both have.
targets=(
  "bare route (baseline)|/health/live"
  "API: product list, 24 per page|/api/v1/products?per_page=24"
  "API: one product with its variants|/api/v1/products/$product_id"
  "product page (SSR)|/products/$product_slug"
  "category page (SSR)|/categories/$category_slug"
  "storefront home page (SSR)|/"
)
if [ -n "${BENCH_TARGETS:-}" ]; then
  IFS=';' read -r -a targets <<<"$BENCH_TARGETS"
fi

# Requests per second and latency percentiles of one wrk run, after a short warm-up of the same
# path (the targets are measured with their caches warm).
measure() {
  local out
  wrk -t1 -c4 -d2s "$BASE_URL$1" >/dev/null
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$BASE_URL$1")
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  printf '%s %s %s %s\n' "$rps" "$p50" "$p99" "${errors:-0}"
}

printf '\n| target | path | req/s | vs. baseline | p50 | p99 | non-2xx |\n|---|---|---:|---:|---:|---:|---:|\n'
baseline=
for target in "${targets[@]}"; do
  name=${target%%|*} path=${target#*|}
  read -r rps p50 p99 errors < <(measure "$path")
  baseline=${baseline:-$rps}
  ratio=$(awk -v a="$rps" -v b="$baseline" 'BEGIN {printf "%.3f", a / b}')
  printf '| %s | `%s` | %s | %s | %s | %s | %s |\n' "$name" "$path" "$rps" "$ratio" "$p50" "$p99" "$errors"
done
# Checkout: buyers (one wrk connection each) put a unit in a new guest cart and check it out,
# over and over. First with stock to spare (orders/s), then racing for fewer units than they
# will ask for, after which the database must show exactly those units sold and none oversold.
psql "$DATABASE_URL" -qAt -c "INSERT INTO tax_rates (country, rate) VALUES ('DE', 19) ON CONFLICT DO NOTHING" >/dev/null
export BENCH_METHOD; BENCH_METHOD=$(psql "$DATABASE_URL" -qAt -c \
  "INSERT INTO shipping_methods (name, price, countries) VALUES ('Bench Post', 4.95, '{DE}') RETURNING id" | head -1)
export BENCH_VARIANT; BENCH_VARIANT=$(curl -sS "$BASE_URL/api/v1/products/$product_id" | jq -er '.data.variants[0].id')
buyers=${BENCH_BUYERS:-32}
checkout() {
  wrk -t2 -c"$buyers" -d"$1" --latency -s bench/checkout.lua "$BASE_URL" |
    awk '/^checkout:/ {print $3, $5, $7, $9} $1 == "99%" {p99 = $2} END {print p99}' | paste -sd' '
}
psql "$DATABASE_URL" -qc "UPDATE product_variants SET stock = 100000000 WHERE id = '$BENCH_VARIANT'" >/dev/null
read -r placed refused cart_refused other p99 < <(checkout "${duration}s")
orders_rate=$(awk -v n="$placed" -v d="$duration" 'BEGIN {printf "%.1f", n / d}')
printf '
checkout, %s buyers, stock to spare: %s orders/s (%s placed, %s refused, %s other; p99 of a request %s; %s of the baseline req/s)
' \
  "$buyers" "$orders_rate" "$placed" "$refused" "$other" "$p99" "$(awk -v a="$orders_rate" -v b="$baseline" 'BEGIN {printf "%.3f", a / b}')"
# Fewer units than the buyers will ask for in the race's 5 s: about 2 s worth at the rate above.
race_stock=${BENCH_RACE_STOCK:-$(awk -v r="$orders_rate" 'BEGIN {n = int(r * 2); print (n < 64 ? 64 : n)}')}
psql "$DATABASE_URL" -qc "UPDATE product_variants SET stock = $race_stock WHERE id = '$BENCH_VARIANT'" >/dev/null
sold_before=$(psql "$DATABASE_URL" -qAt -c "SELECT coalesce(sum(quantity), 0) FROM order_items WHERE variant_id = '$BENCH_VARIANT'")
read -r placed refused cart_refused other p99 < <(checkout 5s)
read -r stock_after sold_after < <(psql "$DATABASE_URL" -qAt -F' ' -c \
  "SELECT stock, (SELECT coalesce(sum(quantity), 0) FROM order_items WHERE variant_id = v.id) FROM product_variants v WHERE id = '$BENCH_VARIANT'")
sold=$((sold_after - sold_before))
printf 'checkout race, %s buyers for %s units: %s placed, %s refused at checkout (out of stock), %s refused at the cart (sold out), %s other; stock left %s; units sold %s; oversold: %s\n' \
  "$buyers" "$race_stock" "$placed" "$refused" "$cart_refused" "$other" "$stock_after" "$sold" "$((sold > race_stock ? sold - race_stock : 0))"
[ "$placed" = "$race_stock" ] && [ "$sold" = "$race_stock" ] && [ "$stock_after" = 0 ] || fail "the checkout race sold $sold of $race_stock units"

# The catalogue as CSV (the back office's import and export, through the API): the whole
# catalogue exported (streamed: the server's memory before and after), then two imports run by
# the job — 20 000 new variants, and 20 000 exported lines sent back unchanged (every line
# checked and compared, nothing written).
admin_password="bench admin passphrase 42"
OXCART_ADMIN_PASSWORD=$admin_password target/release/server create-admin --email bench-admin@example.com >/dev/null
token=$(curl -sS -X POST "$BASE_URL/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\": \"bench-admin@example.com\", \"password\": \"$admin_password\"}" | jq -er .data.access_token)
rss_now() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER_PID/status"; }
rss_before=$(rss_now)
started=$(date +%s.%N)
curl -sS -f -H "authorization: Bearer $token" "$BASE_URL/api/v1/catalog/export" -o target/bench-export.csv
export_secs=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
export_lines=$(($(wc -l <target/bench-export.csv) - 1))
printf '\ncatalogue export: %s lines, %s MB in %s s; server RSS %s MiB before, %s MiB after\n' \
  "$export_lines" "$(awk -v b="$(stat -c %s target/bench-export.csv)" 'BEGIN {printf "%.1f", b / 1e6}')" \
  "$export_secs" "$rss_before" "$(rss_now)"
# Sends a file to the import and waits for the job; prints the seconds it waited in the job
# queue (behind the checkout's confirmation mails), the seconds it ran, and the outcome.
import_file() {
  local id status sent running="" body now
  sent=$(date +%s.%N)
  id=$(curl -sS -f -X POST -H "authorization: Bearer $token" -H 'content-type: text/csv' \
    --data-binary @"$1" "$BASE_URL/api/v1/imports" | jq -er .data.id)
  while :; do
    body=$(curl -sS -H "authorization: Bearer $token" "$BASE_URL/api/v1/imports/$id")
    status=$(jq -r .data.status <<<"$body")
    now=$(date +%s.%N)
    [ -z "$running" ] && [ "$status" != queued ] && running=$now
    [ "$status" = done ] || [ "$status" = failed ] && break
    sleep 0.2
  done
  printf '%s %s %s\n' "$(awk -v a="$sent" -v b="$running" 'BEGIN {printf "%.1f", b - a}')" \
    "$(awk -v a="$running" -v b="$now" 'BEGIN {printf "%.1f", b - a}')" \
    "$(jq -r '.data | "\(.status): \(.created) created, \(.updated) updated, \(.unchanged) unchanged, \(.failed) failed"' <<<"$body")"
}
awk 'BEGIN {print "product_slug,product_name,product_status,sku,options,price,stock";
  for (p = 0; p < 4000; p++) for (v = 0; v < 5; v++) printf "bench-import-%d,Bench import %d,active,BI-%d-%d,size=%d,12.50,5\n", p, p, p, v, v}' \
  >target/bench-import.csv
read -r wait secs outcome < <(import_file target/bench-import.csv)
printf 'catalogue import, 20000 new variants (4000 products): %s s running, %s lines/s, after %s s queued (%s)\n' \
  "$secs" "$(awk -v s="$secs" 'BEGIN {printf "%.0f", 20000 / (s > 0 ? s : 0.1)}')" "$wait" "$outcome"
head -n 20001 target/bench-export.csv >target/bench-reimport.csv
read -r wait secs outcome < <(import_file target/bench-reimport.csv)
printf 'catalogue import, 20000 exported lines sent back unchanged: %s s running, %s lines/s, after %s s queued (%s)\n' \
  "$secs" "$(awk -v s="$secs" 'BEGIN {printf "%.0f", 20000 / (s > 0 ? s : 0.1)}')" "$wait" "$outcome"

# Peak memory of the server over the whole run.
rss_kib=$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status")
printf '\nserver peak RSS: %s MiB\n' "$(awk -v k="$rss_kib" 'BEGIN {printf "%.1f", k / 1024}')"

# A product page's first load as a browser gets it (brotli where the server has it).
br_bytes() { curl -sS -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: br' "$BASE_URL$1"; }
page_bytes=$(br_bytes "/products/$product_slug")
total=$page_bytes
# The HTML names the stylesheet and the script; its inline loader names the wasm.
for asset in $(curl -sS "$BASE_URL/products/$product_slug" | grep -o "/pkg/[^\"' ]*\.\(js\|wasm\|css\)" | sort -u); do
  total=$((total + $(br_bytes "$asset")))
done
printf 'product page first load (HTML + JS + wasm + CSS, brotli): %s KB (HTML %s KB)\n' \
  "$(awk -v b="$total" 'BEGIN {printf "%.1f", b / 1000}')" "$(awk -v b="$page_bytes" 'BEGIN {printf "%.1f", b / 1000}')"

printf '\n%s, %s cores, %s s per target, %s connections, %s products, cache: %s, commit %s\n' \
  "$(date -u +%Y-%m-%d)" "$(nproc)" "$duration" "$connections" "$SEED_PRODUCTS" "$([ -n "${REDIS_URL:-}" ] && echo redis || echo in-process)" \
  "$(git rev-parse --short HEAD)"
