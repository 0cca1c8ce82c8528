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

# shellcheck source=lib/sandbox.sh
source "$ROOT/scripts/lib/sandbox.sh"
start_sandbox "$TOKEN"

"$PY" xtask/export/python_e2e.py "$CLIENT" openapi/noxitel.json "$SANDBOX_URL" "$TOKEN"
