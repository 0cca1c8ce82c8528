#!/usr/bin/env bash
# Other-language client, end to end: the Python client exported from openapi/noxitel.json sends
# every request example of the document to a fresh sandbox and must parse every answer back to
# the exact JSON received (xtask/export/python_e2e.py).
#
#   scripts/client-e2e.sh        # exports into target/export/python if it is not there yet
#
# Exits non-zero on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CLIENT="${CLIENT_DIR:-$ROOT/target/export/python}"
TOKEN="client-e2e-token"

[ -d "$CLIENT/noxitel_api_client" ] || cargo xtask export --lang python --out "$CLIENT"
PY="$ROOT/.tools/python/bin/python"   # the venv `cargo xtask export` installs

[ -n "${SKIP_BUILD:-}" ] || cargo build --quiet -p noxitel-sandbox --bin noxitel-sandbox
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/noxitel-sandbox"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

"$BIN" --port "$PORT" --token "$TOKEN" --dlr-delay-ms 200 --log warn &
PID=$!
trap 'kill "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v2/credits" 2>/dev/null && break
  sleep 0.1
done

"$PY" xtask/export/python_e2e.py "$CLIENT" openapi/noxitel.json "http://127.0.0.1:$PORT/api/v2" "$TOKEN"
