# Sourced by scripts that need a fresh sandbox: `start_sandbox TOKEN` builds the binary (unless
# SKIP_BUILD is set), starts it on a free loopback port, waits until it answers, stops it when
# the script exits, and sets SANDBOX_URL (the base URL, ending in /api/v2). SANDBOX_ARGS adds
# options (split on spaces), e.g. SANDBOX_ARGS="--db /tmp/c.db".

start_sandbox() {
  local token="$1" root bin port extra
  read -r -a extra <<< "${SANDBOX_ARGS:-}"
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  [ -n "${SKIP_BUILD:-}" ] || cargo build --quiet -p noxitel-sandbox --bin noxitel-sandbox
  bin="${CARGO_TARGET_DIR:-$root/target}/debug/noxitel-sandbox"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  "$bin" --port "$port" --token "$token" --dlr-delay-ms 200 --log warn "${extra[@]}" &
  SANDBOX_PID=$!
  trap 'kill "$SANDBOX_PID" 2>/dev/null || true' EXIT
  SANDBOX_URL="http://127.0.0.1:$port/api/v2"
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$SANDBOX_URL/credits" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "error: the sandbox did not answer on $SANDBOX_URL" >&2
  return 1
}
