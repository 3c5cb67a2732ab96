//! Tests of the subject matcher, with the rules folder's own corpus of cases.
use super::*;
use serde::Deserialize;

const RULES: &str = include_str!("../../rules/aset-w/subjects.toml");
const CASES: &str = include_str!("../../rules/aset-w/cases/subjects.toml");

fn rules() -> SubjectRules {
    toml::from_str(RULES).expect("rules/aset-w/subjects.toml parses")
}

fn matcher() -> SubjectMatcher {
    SubjectMatcher::new(&rules()).expect("ASeT-W subject rules compile")
}

#[test]
fn corpus() {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Corpus {
        case: Vec<Case>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Case {
        subject: String,
        kind: String,
        organisation: Option<String>,
    }
    let corpus: Corpus = toml::from_str(CASES).expect("cases/subjects.toml parses");
    assert!(corpus.case.len() >= 80, "only {} cases", corpus.case.len());
    let matcher = matcher();
    let mut failures = Vec::new();
    for case in &corpus.case {
        let got = matcher.classify(&case.subject);
        let kind = got.kind.map_or("none", SubjectKind::as_str);
        if kind != case.kind || got.organisation != case.organisation {
            failures.push(format!(
                "  {:?}\n    expected {} {:?}\n    got      {kind} {:?} ({})",
                case.subject, case.kind, case.organisation, got.organisation, got.reason
            ));
        }
    }
    let (failed, total) = (failures.len(), corpus.case.len());
    assert!(
        failures.is_empty(),
        "{failed} of {total} cases fail:\n{}",
        failures.join("\n")
    );
}

#[test]
fn reasons_name_the_article() {
    let reason = |subject: &str| matcher().classify(subject).reason;
    assert_eq!(
        reason("ASeT-W — CHR Namur — point de contact"),
        "subject matches the contact_change subject (art. 4.2)"
    );
    assert_eq!(
        reason("ASeT-W — [Nom de l'organisation] — Résiliation"),
        "subject matches the resignation subject (art. 6.3), organisation placeholder not filled in"
    );
    assert_eq!(reason("Bonjour"), "no subject convention matched");
}

#[test]
fn organisation_keeps_original_form() {
    let cases = [
        (
            "RE: aset-w — Hôpital  d’Ath “Saint-Éloi” — resiliation",
            "Hôpital  d’Ath “Saint-Éloi”",
        ),
        ("ASeT-W — « CHR Namur » — Résiliation", "CHR Namur"),
        ("ASeT-W — (\"CHR Namur\") — Résiliation", "CHR Namur"),
        (
            "ASeT-W — CHR (site Godinne) — Résiliation",
            "CHR (site Godinne)",
        ),
        ("ASeT-W — CHR\r\nNamur — Résiliation", "CHR Namur"),
    ];
    for (subject, name) in cases {
        let got = matcher().classify(subject).organisation;
        assert_eq!(got.as_deref(), Some(name), "{subject:?}");
    }
    let original = "Œuvre — « Élan » d’Ath";
    let folded = Folded::new(original);
    assert_eq!(folded.text, "oeuvre - elan d'ath");
    assert_eq!(
        folded.original(9..13).and_then(|r| original.get(r)),
        Some("Élan")
    );
}

#[test]
fn keys() {
    let cases = [
        ("C.H.R. de la Haute-Meuse", "chr de la haute meuse"),
        (" Hôpital d’Ath — « Œuvre » ", "hopital d ath oeuvre"),
        ("CLINIQUE   SAINT-LUC", "clinique saint luc"),
        ("ＣＨＲ Namur", "chr namur"),
        ("...---", ""),
    ];
    for (name, key) in cases {
        assert_eq!(organisation_key(name), key, "{name:?}");
    }
}

#[test]
fn control_characters() {
    for bad in [
        "\r", "\n", "\0", "\u{1b}", "\u{7f}", "\u{85}", "\u{2028}", "\u{2029}",
    ] {
        assert!(has_control_characters(&format!("a{bad}b")), "{bad:?}");
    }
    for good in ["a\tb", "ASeT-W — CHR Namur — Résiliation", "", "a\u{a0}b"] {
        assert!(!has_control_characters(good), "{good:?}");
    }
    let class = matcher().classify("ASeT-W —\u{0}CHR Namur\u{7f}—\tRésiliation");
    assert_eq!(class.kind, Some(SubjectKind::Resignation));
    assert_eq!(class.organisation.as_deref(), Some("CHR Namur"));
}

#[test]
fn odd_input_does_not_panic() {
    let matcher = matcher();
    let odd = " ¦—¦– — ― ‒ −¦-----¦:::¦\u{301}\u{301}\u{308}¦\u{FEFF}\u{200B}¦\u{FFFD}\0\0¦[¦[]¦«»\
        ¦RE:¦RE: RE[¦ASeT-W —¦ASeT-W — — —¦ASeT-W — Résiliation — ¦ASeT-W — ' — Résiliation\
        ¦Demande de résiliation — ASeT-W —¦ß\u{130}\u{130}ﬁ¦ASeT-W — “ — Résiliation";
    for subject in odd.split('¦').chain([""]) {
        assert!(!matcher.classify(subject).reason.is_empty(), "{subject:?}");
    }
    // Cut at 2,000 characters: before the alliance name, before the keyword.
    let long_prefix = format!("{}ASeT-W — CHR Namur — Résiliation", "RE: ".repeat(2_600));
    let long_name = format!("ASeT-W — {} — Résiliation", "é".repeat(5_000));
    for long in [long_prefix, long_name] {
        assert_eq!(matcher.classify(&long).kind, None);
    }
    for word in ["résiliation ", "ASeT-W — ", "point de contact — ", "« [("] {
        matcher.classify(&word.repeat(1_000));
    }
}

#[test]
fn invalid_rules_are_refused() {
    let refused = |change: fn(&mut SubjectRules)| {
        let mut rules = rules();
        change(&mut rules);
        SubjectMatcher::new(&rules)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let ambiguous = refused(|r| r.kinds.contact_change.keywords.push("Résiliation".into()));
    assert!(ambiguous.contains("listed under two kinds"), "{ambiguous}");
    let empty = refused(|r| r.kinds.resignation.keywords.clear());
    assert!(empty.contains("kinds.resignation.keywords"), "{empty}");
    let empty = refused(|r| r.alliance_names.push(" — ".into()));
    assert!(empty.contains("alliance_names"), "{empty}");
    let separator = refused(|r| r.separators.push("ab".into()));
    assert!(separator.contains("separator"), "{separator}");
    let unknown = format!("{RULES}\nunknown_field = 1\n");
    assert!(toml::from_str::<SubjectRules>(&unknown).is_err());
}
