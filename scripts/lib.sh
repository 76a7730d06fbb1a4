# Shared helpers for the project's scripts (sourced, not run).

say() { printf '\033[1m[oxcart]\033[0m %s\n' "$*"; }
fail() { printf '\033[1;31m[oxcart] %s\033[0m\n' "$*" >&2; exit 1; }

# host and port of a postgres:// or redis:// URL, with defaults.
url_host() { local u=${1#*://}; u=${u##*@}; u=${u%%/*}; u=${u%%\?*}; u=${u%:*}; printf '%s' "${u:-127.0.0.1}"; }
url_port() { local u=${1#*://}; u=${u##*@}; u=${u%%/*}; u=${u%%\?*}; case "$u" in *:*) printf '%s' "${u##*:}";; *) printf '%s' "$2";; esac; }

# Whether something accepts TCP connections at host:port, within 3 seconds.
reachable() { timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# The database URL the shop uses, and the URL of another database on the same server.
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/oxcart}
database_url_for() { printf '%s/%s' "${DATABASE_URL%/*}" "$1"; }

require_postgres() {
  local host port; host=$(url_host "$DATABASE_URL"); port=$(url_port "$DATABASE_URL" 5432)
  reachable "$host" "$port" || fail "PostgreSQL is not reachable at $host:$port — start it (sudo pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start) or set DATABASE_URL."
}

require_redis() {
  local url=${TEST_REDIS_URL:-${REDIS_URL:-redis://127.0.0.1:6379}} host port
  host=$(url_host "$url"); port=$(url_port "$url" 6379)
  reachable "$host" "$port" || fail "Redis is not reachable at $host:$port — start it (redis-server --daemonize yes --port $port) or set TEST_REDIS_URL."
}

# Gzip-compresses the built assets next to themselves so the file service can send them as is.
precompress_site() {
  find target/site/pkg -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.css' \) -print0 |
    while IFS= read -r -d '' f; do
      gzip -9 -k -f "$f"
      # Brotli too (about a fifth smaller than gzip for the wasm), when the tool is there.
      if command -v brotli >/dev/null; then brotli -q 11 -k -f "$f"; fi
    done
}

# Starts the built release ($SERVER_BIN, default target/release/server) on a fresh database
# (migrated, demo products: the hand-written ones and $SEED_PRODUCTS generated) and an OS-chosen
# port, logging to $2; sets SERVER_PID, SERVER_DB and BASE_URL. `stop_server` undoes it (call it from an EXIT trap). The caller's environment (rate
# limits, mail outbox, …) reaches the server.
start_server() {
  local name=$1 log=$2 deadline port= bin=${SERVER_BIN:-target/release/server}
  SERVER_DB="oxcart_${name}_$(date +%s)_$$"
  export DATABASE_URL; DATABASE_URL=$(database_url_for "$SERVER_DB")
  export SITE_ROOT=target/site OXCART_PORT=0 LOG_FORMAT=json RUST_LOG=${RUST_LOG:-warn}
  "$bin" migrate >/dev/null
  "$bin" seed --products "${SEED_PRODUCTS:-0}" >/dev/null
  # The log exists before the server starts: the wait below may read it before the background
  # process has opened it.
  : >"$log"
  "$bin" serve >"$log" 2>&1 &
  SERVER_PID=$!
  # Wait for the line with the bound port (bounded by a deadline, no fixed sleeps).
  deadline=$((SECONDS + 60))
  while [ -z "$port" ]; do
    port=$(sed -n 's#^Oxcart listening on http://[^:]*:\([0-9]*\)$#\1#p' "$log" | head -n1)
    [ -n "$port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log"; fail "the server exited during start-up"; }
    [ $SECONDS -lt $deadline ] || { cat "$log"; fail "the server did not start within 60 s"; }
    sleep 0.2
  done
  export BASE_URL="http://127.0.0.1:$port"
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "${SERVER_DB:-}" ]; then
    psql "$(database_url_for postgres)" -qc "DROP DATABASE IF EXISTS $SERVER_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}

export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
