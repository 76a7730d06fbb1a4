#!/usr/bin/env bash
# Installs what building, running and testing Oxcart needs on a fresh Debian machine of this kind.
# Idempotent: every step checks first and prints what it did. Only package registries are used.
# Usage: scripts/setup.sh [--e2e] [--bench]   (--e2e also installs Chromium for Playwright,
# --bench wrk for scripts/bench.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

CARGO_LEPTOS_VERSION=0.3.11
SQLX_CLI_VERSION=0.8.6
SCHEMATHESIS_VERSION=4.32.5
MOTO_VERSION=5.2.5
# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)

export PATH="$HOME/.cargo/bin:$PATH"
# The tools are installed with a cheap release profile: cargo-leptos's own profile (fat LTO, one
# codegen unit) spent ~20 of a fresh machine's first 41 minutes in one link. These are build
# tools; their speed does not matter, their install time does.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=true

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32 target: present"
else
  say "wasm32 target: installing"; rustup target add wasm32-unknown-unknown
fi

# Installs a crate whose own Cargo.lock pins something this toolchain or registry can't give,
# by unpacking its source, moving one package to a working version, and installing from that path.
install_patched() {
  local crate=$1 version=$2 pkg=$3 precise=$4
  local src
  cargo install "$crate" --version "$version" --locked >/dev/null 2>&1 && return 0
  # `|| true`: under pipefail a failed glob would end the script before the fallback below runs.
  src=$(ls -d "$HOME"/.cargo/registry/src/*/"$crate-$version" 2>/dev/null | head -n1 || true)
  if [ -z "$src" ]; then
    # the failed install may not have unpacked it: fetch the source through cargo itself
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && cargo init -q --name fetch && cargo add -q "$crate@=$version" --no-default-features >/dev/null 2>&1 && cargo fetch -q) || true
    src=$(ls -d "$HOME"/.cargo/registry/src/*/"$crate-$version" 2>/dev/null | head -n1 || true)
    [ -n "$src" ] || { echo "could not fetch the source of $crate $version from crates.io" >&2; exit 1; }
  fi
  local work; work=$(mktemp -d)
  cp -r "$src" "$work/src"
  (cd "$work/src" && cargo update -p "$pkg" --precise "$precise" && cargo install --path . --locked)
  rm -rf "$work"
}

if cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "cargo-leptos $CARGO_LEPTOS_VERSION: present"
else
  say "cargo-leptos $CARGO_LEPTOS_VERSION: installing (about 12 minutes on 2 cores)"
  install_patched cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-util-schemas 0.14.1
fi

if wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION: present"
else
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION: installing (about 3 minutes)"
  install_patched wasm-bindgen-cli "$WASM_BINDGEN_VERSION" webpki-roots 1.0.10
fi

if cargo sqlx --version 2>/dev/null | grep -q "$SQLX_CLI_VERSION"; then
  say "sqlx-cli $SQLX_CLI_VERSION: present"
else
  say "sqlx-cli $SQLX_CLI_VERSION: installing"
  cargo install sqlx-cli --version "$SQLX_CLI_VERSION" --no-default-features --features postgres,rustls --locked
fi

if [ -d node_modules/@tailwindcss/cli ] && [ -d node_modules/binaryen ] && [ node_modules -nt package-lock.json ]; then
  say "npm packages: present"
else
  say "npm packages: installing"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
  touch node_modules
fi

# aiosmtpd (PyPI): the real SMTP server the mail tests send to.
if [ -x .tools/venv/bin/python ] && .tools/venv/bin/python -c 'import aiosmtpd' 2>/dev/null; then
  say "aiosmtpd (test SMTP server): present"
else
  say "aiosmtpd (test SMTP server): installing into .tools/venv"
  python3 -m venv .tools/venv && .tools/venv/bin/pip install -q 'aiosmtpd==1.4.6'
fi

# schemathesis (PyPI): the property-based API run of scripts/schemathesis.sh (same venv).
if .tools/venv/bin/schemathesis --version 2>/dev/null | grep -qx "schemathesis, version $SCHEMATHESIS_VERSION"; then
  say "schemathesis $SCHEMATHESIS_VERSION (API fuzzing): present"
else
  say "schemathesis $SCHEMATHESIS_VERSION (API fuzzing): installing into .tools/venv"
  .tools/venv/bin/pip install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

# moto (PyPI) in server mode: the S3-compatible object storage the media store's S3 test uses.
if .tools/venv/bin/python -c 'import moto, moto.server; print(moto.__version__)' 2>/dev/null | grep -qx "$MOTO_VERSION"; then
  say "moto $MOTO_VERSION (test S3 server): present"
else
  say "moto $MOTO_VERSION (test S3 server): installing into .tools/venv"
  .tools/venv/bin/pip install -q "moto[server]==$MOTO_VERSION"
fi

# Brotli for precompressing the built site (scripts/lib.sh `precompress_site`).
if command -v brotli >/dev/null; then
  say "brotli: present"
else
  say "brotli: installing from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq brotli >/dev/null
fi

if [[ " $* " == *" --e2e "* ]]; then
  if [ -x /usr/bin/chromium ]; then
    say "chromium: present"
  else
    say "chromium: installing from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
if [[ " $* " == *" --bench "* ]]; then
  if command -v wrk >/dev/null; then
    say "wrk: present"
  else
    say "wrk: installing from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  fi
fi
say "done"
