#!/usr/bin/env bash
# Load benchmark: builds the release, starts it on a fresh database with the demo catalogue, and
# loads each target in turn with wrk from a second process on loopback. The first target is the
# baseline, `/health/live`: a route that touches nothing, so it measures the server and its
# middleware alone. The machines are shared and noisy, so the other figures are read as a ratio
# to it, measured in the same run. Prints a Markdown table for BENCHMARKS.md.
# Usage: scripts/bench.sh [seconds per target, default 10] [connections, default 16]
# SKIP_BUILD=1 reuses the existing release build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

duration=${1:-10}
connections=${2:-16}
require_postgres
scripts/setup.sh --bench >/dev/null
if [ "${SKIP_BUILD:-}" != 1 ]; then
  say "bench: building the release"
  SQLX_OFFLINE=true cargo leptos build --release
  precompress_site
fi

# The server runs with its defaults (in-process cache unless REDIS_URL is set, job workers on;
# `start_server` turns logging down). The targets are GETs, which no rate limit counts.
trap stop_server EXIT
start_server bench target/bench-server.log
say "bench: server on $BASE_URL; ${duration}s per target, $connections connections, 2 wrk threads"

# name|path — the bare route first: it is the baseline. BENCH_TARGETS="name|path;…" replaces the
# list (its first entry is then the baseline), e.g. to compare two builds on the routes both have.
targets=(
  "bare route (baseline)|/health/live"
  "static file|/robots.txt"
  "404 for an unknown API path (JSON envelope)|/api/v1/nothing-here"
  "health check (database + cache + queue)|/health"
  "API: product list, 20 per page|/api/v1/products?per_page=20"
  "storefront home page (SSR)|/"
)
if [ -n "${BENCH_TARGETS:-}" ]; then
  IFS=';' read -r -a targets <<<"$BENCH_TARGETS"
fi

# Requests per second and latency percentiles of one wrk run.
measure() {
  local out
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$BASE_URL$1")
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  printf '%s %s %s %s\n' "$rps" "$p50" "$p99" "${errors:-0}"
}

# A short warm-up so the first target doesn't pay for cold caches.
wrk -t1 -c2 -d2s "$BASE_URL/" >/dev/null

printf '\n| target | path | req/s | vs. baseline | p50 | p99 | non-2xx |\n|---|---|---:|---:|---:|---:|---:|\n'
baseline=
for target in "${targets[@]}"; do
  name=${target%%|*} path=${target#*|}
  read -r rps p50 p99 errors < <(measure "$path")
  baseline=${baseline:-$rps}
  ratio=$(awk -v a="$rps" -v b="$baseline" 'BEGIN {printf "%.3f", a / b}')
  printf '| %s | `%s` | %s | %s | %s | %s | %s |\n' "$name" "$path" "$rps" "$ratio" "$p50" "$p99" "$errors"
done
printf '\n%s, %s cores, %s s per target, %s connections, cache: %s, commit %s\n' \
  "$(date -u +%Y-%m-%d)" "$(nproc)" "$duration" "$connections" "$([ -n "${REDIS_URL:-}" ] && echo redis || echo in-process)" \
  "$(git rev-parse --short HEAD)"
