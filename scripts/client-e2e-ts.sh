#!/usr/bin/env bash
# Other-language client at runtime, TypeScript: openapi-fetch (pinned in xtask/tools/) over the
# types `cargo xtask export --lang typescript` generates sends every request example of the
# document to a fresh sandbox; every answer must be a 200 that matches the operation's schema
# and survives a JSON round trip (xtask/export/typescript_e2e.ts, compiled with tsc --strict).
#
#   scripts/client-e2e-ts.sh     # exports into target/export/typescript if it is not there yet
#
# Exits non-zero on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TYPES="${CLIENT_DIR:-$ROOT/target/export/typescript}"
NODE_TOOLS="$ROOT/.tools/node"   # `cargo xtask export` installs the pinned npm tools there
TOKEN="client-e2e-ts-token"

if [ ! -f "$TYPES/noxitel-api.ts" ] || [ ! -d "$NODE_TOOLS/node_modules/openapi-fetch" ]; then
  cargo xtask export --lang typescript --out "$TYPES"
fi

E2E="$ROOT/target/export/typescript-e2e"
rm -rf "$E2E"
mkdir -p "$E2E"
cp "$TYPES/noxitel-api.ts" xtask/export/typescript_e2e.ts "$E2E/"
ln -s "$NODE_TOOLS/node_modules" "$E2E/node_modules"
printf '{"private": true, "type": "module"}\n' > "$E2E/package.json"
"$NODE_TOOLS/node_modules/.bin/tsc" --strict --target es2022 --module esnext \
  --moduleResolution bundler --lib es2022,dom,dom.iterable --outDir "$E2E" \
  "$E2E/typescript_e2e.ts" "$E2E/noxitel-api.ts"

# shellcheck source=lib/sandbox.sh
source "$ROOT/scripts/lib/sandbox.sh"
start_sandbox "$TOKEN"

node "$E2E/typescript_e2e.js" "$SANDBOX_URL" "$TOKEN"
