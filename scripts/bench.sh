#!/usr/bin/env bash
# Throughput of the sandbox vs Prism (@stoplight/prism-cli 5.14.2 mocking the same document)
# on POST /sms and GET /credits, measured by a loopback load generator in one run.
#
#   scripts/bench.sh                   # 5 s per measurement, 32 connections
#   SECONDS_PER=10 CONCURRENCY=64 scripts/bench.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PRISM_VERSION="5.14.2"
TOOLS="$ROOT/.tools"
TOKEN="bench-token"
SECONDS_PER="${SECONDS_PER:-5}"
CONCURRENCY="${CONCURRENCY:-32}"

if ! "$TOOLS/node_modules/.bin/prism" --version 2>/dev/null | grep -q "$PRISM_VERSION"; then
  echo "installing @stoplight/prism-cli@$PRISM_VERSION into $TOOLS" >&2
  mkdir -p "$TOOLS"
  (cd "$TOOLS" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-audit --no-fund "@stoplight/prism-cli@$PRISM_VERSION" >/dev/null)
fi

cargo build --quiet --release -p noxitel-sandbox --bin noxitel-sandbox --example bench
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/release"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SBX_PORT="$(free_port)"
PRISM_PORT="$(free_port)"

"$TARGET/noxitel-sandbox" --port "$SBX_PORT" --token "$TOKEN" --log warn >/dev/null &
SBX_PID=$!
"$TOOLS/node_modules/.bin/prism" mock openapi/noxitel.yaml -h 127.0.0.1 -p "$PRISM_PORT" --errors false >/tmp/prism-bench.log 2>&1 &
PRISM_PID=$!
trap 'kill "$SBX_PID" "$PRISM_PID" 2>/dev/null || true' EXIT

wait_up() {
  for _ in $(seq 1 200); do
    curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$1/credits" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "server at $1 did not start" >&2; return 1
}
wait_up "http://127.0.0.1:$SBX_PORT/api/v2"
wait_up "http://127.0.0.1:$PRISM_PORT"

echo "sandbox: noxitel-sandbox (release) on 127.0.0.1:$SBX_PORT; prism $PRISM_VERSION on 127.0.0.1:$PRISM_PORT; $(nproc) cores"
"$TARGET/examples/bench" \
  --sandbox "http://127.0.0.1:$SBX_PORT/api/v2" \
  --prism "http://127.0.0.1:$PRISM_PORT" \
  --token "$TOKEN" --seconds "$SECONDS_PER" --concurrency "$CONCURRENCY"
