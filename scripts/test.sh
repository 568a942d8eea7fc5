#!/usr/bin/env bash
# Runs every test layer; fails if any layer fails or runs no test.
#   1. native cargo test (domain, in-memory repository)
#   2. wasm-bindgen-test in headless Chromium (IndexedDB repository, components)
#   3. Playwright end-to-end specs against the release build
# First, clippy: any warning (and any unwrap, expect or panic outside tests)
# fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PWD/node_modules/binaryen/bin:$PWD/node_modules/.bin:$PATH"
logs=$(mktemp -d)

# cargo prints one "test result:" line per test binary; a layer that ran nothing fails.
count_passed() { grep -Eo 'test result: ok\. [0-9]+ passed' "$1" | awk '{s+=$4} END {print s+0}'; }

echo "== cargo fmt --check"
cargo fmt --check

echo "== clippy (native, every target; the library for wasm32)"
cargo clippy --color never --all-targets -- -D warnings
cargo clippy --color never --lib --target wasm32-unknown-unknown -- -D warnings

echo "== 1/3 native tests (cargo test)"
cargo test --color never 2>&1 | tee "$logs/native.log"
native=$(count_passed "$logs/native.log")
[ "$native" -gt 0 ] || { echo "native layer ran no test" >&2; exit 1; }

echo "== 2/3 browser tests (wasm-bindgen-test, headless Chromium)"
browser_tests=()
for f in tests/browser_*.rs tests/storage_*.rs; do
  [ -e "$f" ] && browser_tests+=(--test "$(basename "$f" .rs)")
done
[ ${#browser_tests[@]} -gt 0 ] || { echo "browser layer has no test file" >&2; exit 1; }
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=180 \
  cargo test --color never --target wasm32-unknown-unknown "${browser_tests[@]}" 2>&1 | tee "$logs/browser.log"
browser=$(count_passed "$logs/browser.log")
[ "$browser" -gt 0 ] || { echo "browser layer ran no test" >&2; exit 1; }

echo "== 3/3 end-to-end tests (Playwright, release build)"
bash scripts/build.sh
# A free loopback port for the sync specs' CouchDB (Playwright starts and stops it).
COUCH_PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
export COUCH_PORT
npx playwright test 2>&1 | tee "$logs/e2e.log"
e2e=$(grep -Eo '^ *[0-9]+ passed' "$logs/e2e.log" | awk '{s+=$1} END {print s+0}')
[ "$e2e" -gt 0 ] || { echo "end-to-end layer ran no test" >&2; exit 1; }

echo
echo "native $native, browser $browser, end-to-end $e2e"
echo "all: $((native + browser + e2e)) passed, 0 failed"
