#!/usr/bin/env bash
# Benchmarks License Desk: builds the release app into dist/, serves it on
# 127.0.0.1, measures it in headless Chromium (bench/run.mjs), prints a table
# and writes the figures to bench-results/latest.json. See docs/perf.md.
#
#   scripts/bench.sh                      everything, 5 runs per figure
#   scripts/bench.sh --runs-100k 3        fewer runs of the 100,000-license figures
#   scripts/bench.sh --only bundle,storage
#   scripts/bench.sh --only sync           team sync through CouchDB (pouchdb-server, started here)
#   BENCH_SKIP_BUILD=1 scripts/bench.sh   measure the dist/ already built
#   BENCH_PORT=4180                       the loopback port to serve on
#   BENCH_SERVER=serve                    serve dist/ with `serve` (compresses per request)
#                                         instead of bench/static.mjs (compressed once)
#
# Not part of scripts/test.sh: it takes minutes and asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PWD/node_modules/binaryen/bin:$PWD/node_modules/.bin:$PATH"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  echo "== building the release app (scripts/build.sh)"
  bash scripts/build.sh
fi

port="${BENCH_PORT:-4180}"
base="http://127.0.0.1:${port}"
if curl -s -o /dev/null "$base/"; then
  echo "port ${port} is already in use: set BENCH_PORT to a free port" >&2
  exit 1
fi

# dist/ compressed once, as a deployment serves it (bench/static.mjs); BENCH_SERVER=serve
# uses the end-to-end tests' `serve` (playwright.config.ts), which compresses every request,
# for figures comparable with those taken before 2026-12-02 17:00 UTC. Each started from
# its own bin so $! is the server itself; NO_UPDATE_CHECK keeps `serve` off the network.
echo "== serving dist/ on ${base}"
if [ "${BENCH_SERVER:-static}" = serve ]; then
  NO_UPDATE_CHECK=1 node node_modules/serve/build/main.js -s dist -l "tcp://127.0.0.1:${port}" \
    --no-clipboard --no-port-switching -L &
else
  node bench/static.mjs --dir dist --port "${port}" &
fi
server=$!
# The sync section's CouchDB: pouchdb-server in memory on a free loopback port.
COUCH_PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
export COUCH_PORT BENCH_COUCH_URL="http://127.0.0.1:${COUCH_PORT}"
bash scripts/couch.sh &
couch=$!
trap 'kill "$server" "$couch" 2>/dev/null || true; wait "$server" "$couch" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -s -o /dev/null "$base/" && break
  kill -0 "$server" 2>/dev/null || { echo "the server did not start" >&2; exit 1; }
  sleep 0.1
done
for _ in $(seq 1 300); do
  curl -fs -o /dev/null "$BENCH_COUCH_URL/ready" && break
  kill -0 "$couch" 2>/dev/null || { echo "the CouchDB (pouchdb-server) did not start" >&2; exit 1; }
  sleep 0.2
done

echo "== measuring"
node bench/run.mjs --base "$base" "$@"
