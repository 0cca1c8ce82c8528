#!/usr/bin/env bash
# Adding an optional field to the document is not a breaking change.
#
#   scripts/additive-change.sh
#
# Copies the workspace (its tracked files) to target/additive-change, adds one optional field to
# SendSmsRequest there — `validity`, an integer with `minimum: 1`, as a maintainer would — and
# builds, unchanged, every example of the published crates (noxitel-api's, the sandbox's
# quickstart) and the CLI, plus one new example that sets the field with a plain number
# (`.validity(60)`). Exits non-zero if anything fails to build. Third-party crates are shared
# with the workspace's own target directory, so only the workspace's crates are rebuilt.
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

cd "$SCRATCH"
export CARGO_TARGET_DIR="$ROOT/target"
cargo build --locked --quiet -p noxitel-api --examples
cargo build --locked --quiet -p noxitel-sandbox --examples
cargo build --locked --quiet -p noxitel-cli
cargo run --locked --quiet -p noxitel-api --example validity
echo "additive change: every example and the CLI build unchanged with a new optional field"
