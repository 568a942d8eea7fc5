#!/usr/bin/env bash
# The sync specs' CouchDB: pouchdb-server (CouchDB's HTTP protocol, kept in
# memory) on 127.0.0.1:$COUCH_PORT, with an admin (no "admin party") and CORS
# with credentials for the app's origin. Playwright starts it (webServer) and
# stops it; it is ready once the database `ready` exists.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
port=${COUCH_PORT:-5990}
admin=${COUCH_ADMIN:-admin}
password=${COUCH_ADMIN_PASSWORD:-admin-pass}
url="http://127.0.0.1:$port"
dir=$(mktemp -d)
cd "$dir" # pouchdb-server writes its config.json and log.txt where it runs
"$root/node_modules/.bin/pouchdb-server" --in-memory --host 127.0.0.1 --port "$port" >"$dir/out.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT INT TERM
for _ in $(seq 1 150); do
  curl -fs "$url/" >/dev/null 2>&1 && break
  sleep 0.2
done
config() { curl -fsS -X PUT "$url/_config/$1" -d "$2" >/dev/null; }
config httpd/enable_cors '"true"'
config cors/origins '"*"'
config cors/credentials '"true"'
config cors/methods '"GET, PUT, POST, HEAD, DELETE"'
config cors/headers '"accept, authorization, content-type, origin, referer"'
config "admins/$admin" "\"$password\""
curl -fsS -u "$admin:$password" -X PUT "$url/ready" >/dev/null
wait "$pid"
