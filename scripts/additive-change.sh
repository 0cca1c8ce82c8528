#!/usr/bin/env bash
# Adding an optional field to the document is not a breaking change.
#
#   scripts/additive-change.sh
#
# Copies the workspace (its tracked files) to target/additive-change, adds one optional field to
# SendSmsRequest there — `validity`, an integer with `minimum: 1`, as a maintainer would — and
# builds, unchanged, every example of the published crates (noxitel-api's, the sandbox's
# quickstart) and the CLI, plus one new example that sets the field with a plain number
# (`.validity(60)`), and runs the CLI built there: `noxitel sms send --validity 60` must send
# the field (to a one-request loopback server this script starts) and `--validity 0` must be
# refused before sending. Exits non-zero if anything fails. Third-party crates are shared with
# the workspace's own target directory, so only the workspace's crates are rebuilt; the
# workspace's binaries there are put back afterwards.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRATCH="$ROOT/target/additive-change"
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
(cd "$ROOT" && git ls-files -z | xargs -0 cp -P --parents -t "$SCRATCH")

python3 - "$SCRATCH/openapi/noxitel.yaml" <<'EOF'
import sys
path = sys.argv[1]
text = open(path).read()
anchor = "    SendSmsRequest:\n"
start = text.index(anchor)
properties = text.index("      properties:\n", start) + len("      properties:\n")
field = (
    "        validity:\n"
    "          type: integer\n"
    "          minimum: 1\n"
    "          description: Minutes the message stays deliverable (added by scripts/additive-change.sh).\n"
)
open(path, "w").write(text[:properties] + field + text[properties:])
EOF

# The JSON copy the build scripts read gets the same field, as `cargo xtask generate` would
# write it. (Running the scratch copy's own xtask here would replace the workspace's xtask
# binary in the shared target directory.)
python3 - "$SCRATCH/openapi/noxitel.json" <<'EOF'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
schema = doc["components"]["schemas"]["SendSmsRequest"]
schema["properties"] = {
    "validity": {
        "type": "integer",
        "minimum": 1,
        "description": "Minutes the message stays deliverable (added by scripts/additive-change.sh).",
    },
    **schema["properties"],
}
open(path, "w").write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
EOF
grep -q "added by scripts/additive-change.sh" "$SCRATCH/openapi/noxitel.json"
grep -q "added by scripts/additive-change.sh" "$SCRATCH/openapi/noxitel.yaml"

cat > "$SCRATCH/noxitel-api/examples/validity.rs" <<'EOF'
//! The new optional field reaches the client with no hand edit, set with a plain number.
use noxitel_api::types::{Contact, SendSmsRequest};

fn main() {
    let sms = SendSmsRequest::new()
        .message("Your code is 1234")
        .contact(Contact::new("919887111111"))
        .validity(60);
    let json = serde_json::to_value(&sms).expect("serializes");
    assert_eq!(json["validity"], 60);
    println!("validity set: {json}");
    // And on the operation's builder, with no hand edit either.
    let client = noxitel_api::Client::new("token").expect("client");
    let _call = client.send_sms().message("Your code is 1234").validity(60);
}
EOF

# The scratch builds replace the workspace's binaries in the shared target directory (cargo
# copies each binary up to target/debug); keep them and put them back at the end.
SAVED="$SCRATCH/saved-binaries"
mkdir -p "$SAVED"
for bin in noxitel noxitel-sandbox xtask; do
  if [[ -f "$ROOT/target/debug/$bin" ]]; then cp -p "$ROOT/target/debug/$bin" "$SAVED/"; fi
done
restore() {
  for saved in "$SAVED"/*; do
    if [[ -f "$saved" ]]; then cp -p --remove-destination "$saved" "$ROOT/target/debug/"; fi
  done
}
trap restore EXIT

# Cargo names a workspace crate's artifacts by a hash that does not depend on where the
# workspace is, so the scratch crates would overwrite the workspace's own (and leave later
# builds reading the scratch document). Another version gives them their own; the lock file's
# entries for the workspace's crates follow (offline: nothing else is resolved again).
sed -i '0,/^version = "0.1.0"$/s//version = "0.1.0-additive-change"/' "$SCRATCH/Cargo.toml"
sed -i 's/version = "0.1.0" }/version = "0.1.0-additive-change" }/' "$SCRATCH/Cargo.toml"
grep -q '^version = "0.1.0-additive-change"$' "$SCRATCH/Cargo.toml"

cd "$SCRATCH"
export CARGO_TARGET_DIR="$ROOT/target"
cargo build --offline --quiet -p noxitel-api --examples
cargo build --offline --quiet -p noxitel-sandbox --examples
cargo build --offline --quiet -p noxitel-cli
cargo run --offline --quiet -p noxitel-api --example validity
NOXITEL="$SCRATCH/noxitel-from-scratch"
cp "$ROOT/target/debug/noxitel" "$NOXITEL"

# The CLI: the new field is a flag, checked against the document's minimum before sending…
if "$NOXITEL" sms send --to 919887111111 -m "Your code is 1234" --validity 0 \
    --token t --base-url http://127.0.0.1:9/api/v2 2>"$SCRATCH/refused.txt"; then
  echo "noxitel sms send --validity 0 was accepted" >&2
  exit 1
fi
grep -q -- "--validity" "$SCRATCH/refused.txt" || {
  cat "$SCRATCH/refused.txt" >&2
  exit 1
}
# …and sent: one request to a loopback server that records its body.
python3 - "$NOXITEL" <<'EOF'
import http.server, json, subprocess, sys, threading

bodies = []

class Answer(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        answer = json.dumps({"status": "success", "batch_id": "b1", "total_contacts": 1,
                             "message_id": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass

server = http.server.HTTPServer(("127.0.0.1", 0), Answer)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}/api/v2"
subprocess.run([sys.argv[1], "sms", "send", "--to", "919887111111", "-m", "Your code is 1234",
                "--validity", "60", "--token", "t", "--base-url", base], check=True,
               stdout=subprocess.DEVNULL)
assert len(bodies) == 1 and bodies[0].get("validity") == 60, bodies
print("noxitel sms send --validity 60 sent", json.dumps(bodies[0]))
EOF
echo "additive change: every example and the CLI build unchanged with a new optional field; the CLI sends it as --validity"
