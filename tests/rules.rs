//! Every rules folder under rules/ loads, and passes the cases it ships (rules/<alliance>/cases/).

use mailroom::classify::subject::SubjectMatcher;
use mailroom::rules::Rules;
use serde::Deserialize;

use crate::support::repo;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    subject: String,
    kind: String,
    organisation: Option<String>,
}

#[test]
fn every_rules_folder_loads_and_passes_its_subject_cases() {
    let mut folders = 0;
    for entry in std::fs::read_dir(repo().join("rules")).expect("rules/") {
        let dir = entry.expect("entry").path();
        if !dir.is_dir() {
            continue;
        }
        folders += 1;
        let rules = Rules::load(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let matcher = SubjectMatcher::new(&rules.subjects).expect("subject rules compile");
        let Ok(text) = std::fs::read_to_string(dir.join("cases/subjects.toml")) else {
            continue;
        };
        let cases: Cases = toml::from_str(&text).expect("cases parse");
        let failures: Vec<String> = cases
            .case
            .iter()
            .filter_map(|case| {
                let got = matcher.classify(&case.subject);
                let kind = got.kind.map_or("none", |k| k.as_str());
                (kind != case.kind || got.organisation != case.organisation).then(|| {
                    format!(
                        "{:?}: expected {} {:?}, got {kind} {:?}",
                        case.subject, case.kind, case.organisation, got.organisation
                    )
                })
            })
            .collect();
        assert!(
            failures.is_empty(),
            "{}:\n{}",
            dir.display(),
            failures.join("\n")
        );
    }
    assert!(folders >= 1);
}

#[test]
fn the_rules_version_changes_when_any_rules_file_changes() {
    let copy = tempfile::tempdir().expect("tempdir");
    let source = repo().join("rules/aset-w");
    copy_dir(&source, copy.path());
    let before = Rules::load(copy.path()).expect("load").version;
    let messages = copy.path().join("messages.toml");
    let text = std::fs::read_to_string(&messages).expect("read");
    std::fs::write(&messages, text.replace("Doublon", "Doublon ")).expect("write");
    let after = Rules::load(copy.path()).expect("load").version;
    assert_ne!(before, after);
    assert_eq!(before, Rules::embedded().expect("embedded").version);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}
