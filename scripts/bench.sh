#!/usr/bin/env bash
# Throughput of the sandbox — in memory and with --db (SQLite, synchronous=FULL unless
# DB_SYNC=normal) — vs Prism (@stoplight/prism-cli 5.14.2 mocking the same document) and vs a
# bare axum server answering constant JSON (examples/bare.rs: the stack's limit), on POST /sms
# and GET /credits, measured by a loopback load generator in one run.
#
#   scripts/bench.sh                   # 5 s per measurement, 32 connections
#   SECONDS_PER=10 CONCURRENCY=64 scripts/bench.sh
#   DB_DIR=/var/tmp DB_SYNC=normal scripts/bench.sh   # where the --db file lives; its synchronous
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# Prism is pinned in scripts/bench/package.json + package-lock.json (`npm ci` into .tools/bench,
# again only when they change).
PRISM_VERSION="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dependencies"]["@stoplight/prism-cli"])' scripts/bench/package.json)"
TOOLS="$ROOT/.tools/bench"
TOKEN="bench-token"
SECONDS_PER="${SECONDS_PER:-5}"
CONCURRENCY="${CONCURRENCY:-32}"
DB_SYNC="${DB_SYNC:-full}"

wanted="$(cat scripts/bench/package.json scripts/bench/package-lock.json)"
if [ ! -x "$TOOLS/node_modules/.bin/prism" ] || [ "$(cat "$TOOLS/.stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "installing @stoplight/prism-cli@$PRISM_VERSION into $TOOLS" >&2
  rm -rf "$TOOLS"
  mkdir -p "$TOOLS"
  cp scripts/bench/package.json scripts/bench/package-lock.json "$TOOLS/"
  (cd "$TOOLS" && npm ci --no-audit --no-fund --loglevel=error)
  printf '%s' "$wanted" > "$TOOLS/.stamp"
fi
"$TOOLS/node_modules/.bin/prism" --version | grep -q "$PRISM_VERSION"

cargo build --quiet --release -p noxitel-sandbox --bin noxitel-sandbox --example bench --example bare
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/release"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SBX_PORT="$(free_port)"
PRISM_PORT="$(free_port)"
DB_PORT="$(free_port)"
BARE_PORT="$(free_port)"
DB_DIR="$(mktemp -d "${DB_DIR:-${TMPDIR:-/tmp}}/noxitel-bench.XXXXXX")"

"$TARGET/noxitel-sandbox" --port "$SBX_PORT" --token "$TOKEN" --log warn >/dev/null &
SBX_PID=$!
"$TARGET/noxitel-sandbox" --port "$DB_PORT" --token "$TOKEN" --log warn --db "$DB_DIR/bench.db" --db-synchronous "$DB_SYNC" >/dev/null &
DB_PID=$!
"$TARGET/examples/bare" --port "$BARE_PORT" &
BARE_PID=$!
"$TOOLS/node_modules/.bin/prism" mock openapi/noxitel.yaml -h 127.0.0.1 -p "$PRISM_PORT" --errors false >"$DB_DIR/prism.log" 2>&1 &
PRISM_PID=$!
trap 'kill "$SBX_PID" "$DB_PID" "$BARE_PID" "$PRISM_PID" 2>/dev/null || true; rm -rf "$DB_DIR"' EXIT

wait_up() {
  for _ in $(seq 1 200); do
    curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$1/credits" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "server at $1 did not start" >&2; return 1
}
wait_up "http://127.0.0.1:$SBX_PORT/api/v2"
wait_up "http://127.0.0.1:$DB_PORT/api/v2"
wait_up "http://127.0.0.1:$BARE_PORT/api/v2"
wait_up "http://127.0.0.1:$PRISM_PORT"

echo "sandbox: noxitel-sandbox (release) on 127.0.0.1:$SBX_PORT, with --db $DB_DIR/bench.db (synchronous=$DB_SYNC) on :$DB_PORT; bare axum on :$BARE_PORT; prism $PRISM_VERSION on :$PRISM_PORT; $(nproc) cores"
"$TARGET/examples/bench" \
  --sandbox "http://127.0.0.1:$SBX_PORT/api/v2" \
  --sandbox-db "http://127.0.0.1:$DB_PORT/api/v2" \
  --prism "http://127.0.0.1:$PRISM_PORT" \
  --bare "http://127.0.0.1:$BARE_PORT/api/v2" \
  --token "$TOKEN" --seconds "$SECONDS_PER" --concurrency "$CONCURRENCY"
