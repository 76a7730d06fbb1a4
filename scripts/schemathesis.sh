#!/usr/bin/env bash
# Property-based test of the JSON API with Schemathesis: every operation of /api/v1/openapi.json,
# every check, all phases (examples, coverage, fuzzing, stateful), once as a customer and once as
# an admin. The configuration, with the reason for every exception, is scripts/schemathesis.toml.
#
# Starts the built server ($SERVER_BIN, default target/release/server) on a fresh database with
# the rate limits raised (the run sends thousands of writes from one address), creates an admin,
# registers a customer, signs both in, runs Schemathesis once per token and prints a summary.
# Exits non-zero on any failure. Needs PostgreSQL and Schemathesis (scripts/setup.sh).
# Reports (JUnit, and the full output) go to target/schemathesis/.
# Usage: scripts/schemathesis.sh [extra `st run` options, e.g. --max-examples 5]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

export SERVER_BIN=${SERVER_BIN:-target/release/server}
ST=.tools/venv/bin/schemathesis
[ -x "$ST" ] || fail "Schemathesis is not installed: run scripts/setup.sh"
[ -x "$SERVER_BIN" ] || fail "no server binary at $SERVER_BIN: build it (cargo leptos build --release) or set SERVER_BIN"
require_postgres

out=target/schemathesis
rm -rf "$out"; mkdir -p "$out"

# Raised limits: the run is one client address sending sign-ins, registrations, reset requests
# and writes far faster than a person. The limits themselves are covered by the API tests.
export RATE_LIMIT_LOGIN=1000000/60 RATE_LIMIT_REGISTER=1000000/60 \
  RATE_LIMIT_PASSWORD_RESET=1000000/60 RATE_LIMIT_WRITES=1000000/60
# The tokens must outlive the run (default 15 minutes); mails go to a scratch directory.
export ACCESS_TOKEN_TTL_SECS=7200 MAIL_OUTBOX_DIR="$out/outbox"

trap stop_server EXIT
say "starting $SERVER_BIN on a fresh database"
start_server schemathesis "$out/server.log"

# Random passwords: nothing Schemathesis generates can match them (see POST /api/v1/me/password
# in scripts/schemathesis.toml).
password() { printf 'St-%s-9x' "$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"; }
admin_email=admin@schemathesis.example.com admin_password=$(password)
customer_email=customer@schemathesis.example.com customer_password=$(password)

# POSTs JSON to the API; prints the body, fails with the body on a status other than $3.
api_post() {
  local path=$1 body=$2 expect=$3 response status
  response=$(curl -sS -w '\n%{http_code}' -H 'Content-Type: application/json' -d "$body" "$BASE_URL$path")
  status=${response##*$'\n'}
  [ "$status" = "$expect" ] || fail "POST $path answered $status, not $expect: ${response%$'\n'*}"
  printf '%s' "${response%$'\n'*}"
}
# A fresh access token (each sign-in is its own token family).
access_token() {
  api_post /api/v1/auth/login "$(jq -nc --arg e "$1" --arg p "$2" '{email: $e, password: $p}')" 200 |
    jq -er .data.access_token
}

say "creating the admin and registering the customer"
OXCART_ADMIN_PASSWORD=$admin_password "$SERVER_BIN" create-admin --email "$admin_email" --name "Schemathesis Admin" >/dev/null
api_post /api/v1/auth/register "$(jq -nc --arg e "$customer_email" --arg p "$customer_password" \
  '{email: $e, display_name: "Schemathesis Customer", password: $p}')" 201 >/dev/null

# Runs Schemathesis as one caller; $1 names the run, $2/$3 are the account's credentials.
declare -A result
run_as() {
  local who=$1 email=$2 pass=$3 status=0 token logout_token
  shift 3
  say "schemathesis as $who"
  # The run's token, and a second one that POST /api/v1/auth/logout may revoke.
  token=$(access_token "$email" "$pass")
  logout_token=$(access_token "$email" "$pass")
  OXCART_ST_TOKEN=$token OXCART_ST_LOGOUT_TOKEN=$logout_token \
    "$ST" --config-file scripts/schemathesis.toml run "$BASE_URL/api/v1/openapi.json" --url "$BASE_URL" \
    --no-color --report junit --report-junit-path "$out/$who.junit.xml" "$@" 2>&1 |
    tee "$out/$who.log" || status=$?
  result[$who]=$status
}
# The customer first: the admin run may deactivate or demote other accounts (PATCH
# /api/v1/users/{id}; its own access it can't change), which would end the customer's token.
run_as customer "$customer_email" "$customer_password" "$@"
run_as admin "$admin_email" "$admin_password" "$@"

say "summary (full output in $out/)"
failed=0
for who in customer admin; do
  line=$(grep -E '^(=+ )?(No issues found|[0-9]+ (failures?|errors?)|.*(passed|failed).*in [0-9.]+s)' "$out/$who.log" | tail -n1 || true)
  if [ "${result[$who]}" -eq 0 ]; then
    say "  as $who: passed${line:+ — $line}"
  else
    say "  as $who: FAILED (exit ${result[$who]})${line:+ — $line}"; failed=1
    # The failure counts by kind, from Schemathesis's own summary.
    sed -n '/^Failures:$/,/^$/{/^  /p}' "$out/$who.log"
  fi
done
[ "$failed" -eq 0 ] || fail "schemathesis found failures (see above and $out/)"
say "schemathesis: no failures"
