#!/usr/bin/env bash
# The sandbox in a real browser: Debian's chromium (installed here if missing, after
# `apt-get update`) driven by playwright-core (pinned in scripts/browser/package.json +
# package-lock.json, `npm ci` into .tools/browser) against a sandbox the test starts on
# 127.0.0.1 (scripts/browser/inbox.test.mjs). Screenshots: target/browser/{inbox,inbox-dark,docs}.png.
#
#   scripts/browser-test.sh        # SKIP_BUILD=1 to use target/debug/noxitel-sandbox as is
#
# Exits non-zero on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TOOLS="$ROOT/.tools/browser"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "error: $CHROMIUM is missing; install Debian's chromium (apt-get install chromium) or set CHROMIUM" >&2
    exit 1
  fi
fi
"$CHROMIUM" --version

# The pinned playwright-core, reinstalled only when the committed manifest or lock changes.
wanted="$(cat scripts/browser/package.json scripts/browser/package-lock.json)"
if [ ! -d "$TOOLS/node_modules/playwright-core" ] || [ "$(cat "$TOOLS/.stamp" 2>/dev/null)" != "$wanted" ]; then
  rm -rf "$TOOLS"
  mkdir -p "$TOOLS"
  cp scripts/browser/package.json scripts/browser/package-lock.json "$TOOLS/"
  (cd "$TOOLS" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  printf '%s' "$wanted" > "$TOOLS/.stamp"
fi
cp scripts/browser/inbox.test.mjs "$TOOLS/"

[ -n "${SKIP_BUILD:-}" ] || cargo build --quiet -p noxitel-sandbox --bin noxitel-sandbox
export SANDBOX_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/noxitel-sandbox"
export SHOTS="$ROOT/target/browser"
export CHROMIUM
node --test --test-reporter=spec "$TOOLS/inbox.test.mjs"
echo "screenshots: $SHOTS/inbox.png $SHOTS/inbox-dark.png $SHOTS/docs.png"
