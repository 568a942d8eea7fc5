#!/usr/bin/env bash
# Release build of the app into dist/ (what the end-to-end tests and benchmarks load).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/binaryen/bin:$PWD/node_modules/.bin:$PATH"
trunk build --release --offline --features split
