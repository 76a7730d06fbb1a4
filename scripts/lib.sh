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
    while IFS= read -r -d '' f; do gzip -9 -k -f "$f"; done
}

export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
