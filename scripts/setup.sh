#!/usr/bin/env bash
# Installs whatever License Desk needs and is missing; quick when all is there.
#   scripts/setup.sh app    tools to build and serve the app
#   scripts/setup.sh test   those, plus Chromium, chromedriver and the test packages
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-app}"
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# The wasm32 target (rust-toolchain.toml names it; older rustups do not add it by themselves).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Trunk 0.21 (0.22 needs a newer rustc). Building it takes minutes, so only when missing.
if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
  say "installing trunk 0.21 (takes several minutes, once)"
  cargo install --locked trunk --version '~0.21'
fi

# wasm-bindgen-cli must be exactly the wasm-bindgen version Cargo.lock resolved.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${bindgen_version}\$"; then
  say "installing wasm-bindgen-cli ${bindgen_version}"
  # No --locked: the registry lacks one of its locked dependencies.
  cargo install wasm-bindgen-cli --version "${bindgen_version}" --force
fi
if ! grep -q "wasm_bindgen = \"${bindgen_version}\"" Trunk.toml; then
  echo "Trunk.toml names a wasm-bindgen other than Cargo.lock's ${bindgen_version}: update [tools] wasm_bindgen." >&2
  exit 1
fi

# The wasm splitter for the release build's lazy pages (scripts/split.sh, Trunk's post_build
# hook). Its chunk format must match the wasm_split_helpers in Cargo.lock (0.2.x).
if ! cargo install --list | grep -q '^wasm_split_cli_support v0\.2\.4:'; then
  say "installing wasm-split-cli 0.2.4"
  cargo install --locked wasm_split_cli_support --version 0.2.4 --features build-binary
fi

# npm packages: npm's binaryen (wasm-opt 132; Debian's 108 breaks the app), Playwright and
# pouchdb-server (CouchDB's HTTP protocol in memory, for the sync specs).
# A node_modules that is a link (a second worktree sharing the first one's
# packages) is never reinstalled from here: `npm ci` would empty the shared one.
if [ -L node_modules ]; then
  :
elif [ ! -x node_modules/binaryen/bin/wasm-opt ] || [ ! -d node_modules/@playwright/test ] \
   || [ ! -x node_modules/.bin/pouchdb-server ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund
fi

if [ "$what" = test ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Chromium and chromedriver from Debian"
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y chromium chromium-driver
  fi
fi
