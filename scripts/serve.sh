#!/usr/bin/env bash
# Builds License Desk (release) and serves it on http://127.0.0.1:8080, installing what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh app
export PATH="$HOME/.cargo/bin:$PWD/node_modules/binaryen/bin:$PWD/node_modules/.bin:$PATH"
exec trunk serve --release --offline --address 127.0.0.1 --port "${PORT:-8080}" "$@"
