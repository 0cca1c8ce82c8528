//! `cargo xtask check` catches stale artifacts and broken spec rules. No network, no npm.

use std::path::{Path, PathBuf};

use xtask::artifacts::{self, Status};
use xtask::{SPEC, rules, workspace_root};

/// A fresh folder holding a copy of the document only.
fn temp_root(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xtask-check")
        .join(name);
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("openapi")).unwrap();
    std::fs::copy(workspace_root().join(SPEC), root.join(SPEC)).unwrap();
    root
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Whether `diff` removes (`-`) or adds (`+`) a line that reads `text` once trimmed.
fn changes(diff: &str, sign: char, text: &str) -> bool {
    diff.lines()
        .any(|line| line.strip_prefix(sign).is_some_and(|l| l.trim() == text))
}

fn status<'a>(report: &'a [(&str, Status)], path: &str) -> &'a Status {
    &report.iter().find(|(p, _)| *p == path).unwrap().1
}

#[test]
fn committed_artifacts_are_up_to_date() {
    let root = workspace_root();
    assert_eq!(rules::check(&root), Vec::<String>::new());
    for (path, status) in artifacts::check(&root).unwrap() {
        assert_eq!(
            status,
            Status::Fresh,
            "{path} is stale: run `cargo xtask generate`"
        );
    }
}

#[test]
fn generate_is_deterministic() {
    let first = artifacts::render(&workspace_root()).unwrap();
    let second = artifacts::render(&workspace_root()).unwrap();
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.path, b.path);
        assert!(a.contents.is_ok(), "{}: {:?}", a.path, a.contents);
        assert_eq!(
            a.contents, b.contents,
            "{} differs between two renders",
            a.path
        );
    }
}

#[test]
fn check_reports_a_field_renamed_in_the_document() {
    let root = temp_root("renamed-field");
    let written = artifacts::generate(&root).unwrap();
    assert_eq!(written.len(), artifacts::ALL.len());
    assert!(
        artifacts::check(&root)
            .unwrap()
            .iter()
            .all(|(_, s)| *s == Status::Fresh)
    );

    // SendSmsRequest.dlt_entity_id → dltEntityId, artifacts not regenerated.
    edit(
        &root.join(SPEC),
        "        dlt_entity_id:\n          type: string",
        "        dltEntityId:\n          type: string",
    );
    let report = artifacts::check(&root).unwrap();

    let Status::Stale { diff } = status(&report, artifacts::OPENAPI_JSON) else {
        panic!("openapi/noxitel.json not reported stale: {report:?}");
    };
    assert!(
        diff.starts_with(
            "--- a/openapi/noxitel.json (committed)\n+++ b/openapi/noxitel.json (generated)\n"
        ),
        "{diff}"
    );
    assert!(changes(diff, '-', r#""dlt_entity_id": {"#), "{diff}");
    assert!(changes(diff, '+', r#""dltEntityId": {"#), "{diff}");

    let Status::Stale { diff } = status(&report, artifacts::GOLDEN_TYPES) else {
        panic!("golden/noxitel-types.rs not reported stale: {report:?}");
    };
    assert!(changes(diff, '+', r#"rename = "dltEntityId","#), "{diff}");

    // The JSON Schema comes from the compiled types: it cannot be rendered for another document,
    // which check reports as a failure rather than as fresh.
    assert!(
        matches!(status(&report, artifacts::TYPES_SCHEMA), Status::Failed(_)),
        "{report:?}"
    );
    // The client code does not name the field.
    assert_eq!(*status(&report, artifacts::GOLDEN_CALLS), Status::Fresh);
}

#[test]
fn check_reports_an_edited_or_missing_artifact() {
    let root = temp_root("edited-artifact");
    artifacts::generate(&root).unwrap();
    edit(
        &root.join(artifacts::TYPES_SCHEMA),
        "\"title\": \"Noxitel API",
        "\"title\": \"Edited by hand: Noxitel API",
    );
    std::fs::remove_file(root.join(artifacts::GOLDEN_RAW)).unwrap();

    let report = artifacts::check(&root).unwrap();
    let Status::Stale { diff } = status(&report, artifacts::TYPES_SCHEMA) else {
        panic!("schema not reported stale: {report:?}");
    };
    assert!(
        changes(
            diff,
            '-',
            r#""title": "Edited by hand: Noxitel API 2.0.0 payload types","#
        ),
        "{diff}"
    );
    assert!(
        changes(diff, '+', r#""title": "Noxitel API 2.0.0 payload types","#),
        "{diff}"
    );
    assert_eq!(*status(&report, artifacts::GOLDEN_RAW), Status::Missing);
    assert_eq!(*status(&report, artifacts::OPENAPI_JSON), Status::Fresh);

    artifacts::generate(&root).unwrap();
    assert!(
        artifacts::check(&root)
            .unwrap()
            .iter()
            .all(|(_, s)| *s == Status::Fresh)
    );
}

#[test]
fn openapi_json_keeps_document_order() {
    let json = artifacts::openapi_json(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /z: {}\n  /a: {}\n",
    )
    .unwrap();
    assert_eq!(
        json,
        "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\n    \"title\": \"t\",\n    \"version\": \"1\"\n  },\n  \"paths\": {\n    \"/z\": {},\n    \"/a\": {}\n  }\n}\n"
    );
}

#[test]
fn spec_rules_report_missing_operation_ids_inline_bodies_and_dangling_refs() {
    let root = temp_root("rules");
    let spec = root.join(SPEC);
    edit(&spec, "      operationId: sendSms\n", "");
    edit(
        &spec,
        "              schema:\n                $ref: '#/components/schemas/SendSmsResponse'",
        "              schema:\n                type: object",
    );
    edit(
        &spec,
        "$ref: '#/components/schemas/Contact'",
        "$ref: '#/components/schemas/Contacts'",
    );
    let problems = rules::check(&root).join("\n");
    assert!(problems.contains("POST /sms: no operationId"), "{problems}");
    assert!(
        problems.contains("POST /sms response 200 (application/json): inline schema"),
        "{problems}"
    );
    assert!(
        problems.contains("$ref #/components/schemas/Contacts does not resolve"),
        "{problems}"
    );

    std::fs::write(&spec, "openapi: [").unwrap();
    let problems = rules::check(&root);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("openapi/noxitel.yaml: "),
        "{problems:?}"
    );
}
