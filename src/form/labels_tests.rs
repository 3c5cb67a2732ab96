//! Tests of the text reader: the fixtures' `pdftotext -layout` text, the official Word
//! layout, and odd input.

use super::*;
use crate::form::record::{Category, WorkingGroupCode};
use crate::form::values::parse_date;

fn rules() -> FormRules {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/aset-w/form.toml");
    let text = std::fs::read_to_string(path).expect("rules/aset-w/form.toml");
    FormRules::from_toml(&text).expect("form.toml parses")
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/forms/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Pages split on form feeds (pdftotext ends every page with one), lines split on
/// newlines: what an extractor hands over.
fn pages(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_suffix('\u{c}').unwrap_or(text);
    text.split('\u{c}')
        .map(|page| page.lines().map(str::to_owned).collect())
        .collect()
}

fn read(text: &str) -> FormRecord {
    read_text(&pages(text), &rules())
}

/// The record as JSON without `source` and `problems`, as the expected files hold it.
fn comparable(record: &FormRecord) -> serde_json::Value {
    let mut json = serde_json::to_value(record).expect("json");
    if let Some(object) = json.as_object_mut() {
        object.remove("source");
        object.remove("problems");
    }
    json
}

fn assert_reads_as_expected(name: &str) {
    let record = read(&fixture(&format!("{name}.layout.txt")));
    let expected: serde_json::Value =
        serde_json::from_str(&fixture(&format!("{name}.expected.json"))).expect("expected json");
    let got = comparable(&record);
    assert_eq!(
        serde_json::to_string_pretty(&got).expect("pretty"),
        serde_json::to_string_pretty(&expected).expect("pretty"),
        "{name}: the record differs from {name}.expected.json"
    );
    assert_eq!(record.problems, Vec::<String>::new(), "{name}");
    assert_eq!(record.source.kind, SourceKind::TextPdf);
}

#[test]
fn the_hospital_fixture_reads_exactly_as_expected() {
    assert_reads_as_expected("a-hospital-complete");
}

#[test]
fn the_ecosystem_fixture_reads_exactly_as_expected() {
    assert_reads_as_expected("c-ecosystem-complete");
}

#[test]
fn the_text_layer_of_the_fillable_form_reads_as_its_fields_do() {
    // Fillable PDFs print no glyph for an empty box and put long values below their label.
    assert_reads_as_expected("o-acroform-filled");
}

#[test]
fn the_source_counts_pages() {
    let record = read(&fixture("a-hospital-complete.layout.txt"));
    assert_eq!(record.source.details.get("pages"), Some(&6.into()));
}

/// The official Word form: 3.1 delegate blocks print "GT identifié", "Fonction",
/// "Email", "Téléphone" only; the names are in the 6.2 block for the same group.
const OFFICIAL_LAYOUT: &str = "\
1. IDENTIFICATION DE L’ORGANISATION
Dénomination officielle : Résidence Les Tilleuls ....................................
Type d’organisation (cocher la catégorie appropriée) :
   ☐ Hôpital (bénéficiaire final)
   ☒ Établissement pour aînés (bénéficiaire final)
   ☐ Autre acteur de l’écosystème de santé
        Précisez : ............................................................
Adresse du siège social : Rue des Tilleuls 4,
   4000 Liège .....................................................................

IDENTIFICATION DU REPRÉSENTANT LÉGAL DE L’ORGANISATION
   o  Nom : Lambert ...................................
   o  Prénom : Claire ..................................
   o  Fonction : Directrice ...............................
   o  Email : c.lambert@tilleuls.example .................
   o  Téléphone : 04 222 33 44 ...........................

IDENTIFICATION DU POINT DE CONTACT DE L’ORGANISATION
(Si différent du représentant légal de l’organisation)
   o  Nom : .............................................
   o  Prénom : ..........................................
   o  Fonction : ........................................
   o  Email : ...........................................
   o  Téléphone : .......................................
\u{c}
3. ENGAGEMENT DES BÉNÉFICIAIRES FINAUX (à compléter uniquement par les bénéficiaires finaux
3.1. Sélection des groupes thématiques souhaités
☐ Décarbonation (réservé aux hôpitaux)
☒ Achats durables
☐ Résilience aux effets du dérèglement climatique
☒ Sensibilisation des établissements pour aînés (réservé aux établissements pour aînés)
☐ Infrastructures durables
En cas de participation à plusieurs GT, préciser un délégué par GT :
Délégué désigné pour les GT :
GT identifié : Achats durables ..............................................
Fonction : Économe ..........................................................
Email : economat@tilleuls.example ...........................................
Téléphone : 04 222 33 50 ....................................................

Délégué désigné pour les GT :
GT identifié : Sensibilisation des établissements pour aînés .................
Fonction : Infirmière en chef ................................................
Email : soins@tilleuls.example ...............................................
Téléphone : 04 222 33 60 .....................................................

Délégué désigné pour les GT :
GT identifié : ...............................................................
Fonction : ...................................................................
Email : ......................................................................
Téléphone : ..................................................................
\u{c}
3.2. Actions concrètes envisagées
GT identifié : Achats durables ..............................................
☐ Option 1 — Deux actions, qu’elles soient déjà en cours ou seulement envisagées, sont
identifiées pour la période 2026-2029
   • Action 1 envisagée : ....................................................
   • Action 2 envisagée : ....................................................
☒ Option 2 — Actions pas encore définies
GT identifié : Sensibilisation des établissements pour aînés .................
☒ Option 1 — Deux actions, qu’elles soient déjà en cours ou seulement envisagées, sont
identifiées pour la période 2026-2029
   • Action 1 envisagée : Une semaine « zéro gaspillage » avec les résidents ......
   • Action 2 envisagée : Former les référents durabilité de chaque étage ........
☐ Option 2 — Actions pas encore définies
\u{c}
4. ENGAGEMENT DES ACTEURS DE L’ÉCOSYSTÈME (à compléter par les acteurs de l’écosystème
4.1. Contribution au réseau d’apprentissage
   • Précisez brièvement la nature des contributions que votre organisation peut apporter :
     ..............................................................................
4.3. (Facultatif) Mise en œuvre d’une action interne
☐ Nous souhaitons mettre en œuvre une action liée à la transition durable
Description (si applicable) :
     ..............................................................................
5. INITIATIVES EXISTANTES AU SEIN DE L’ORGANISATION (à compléter par tous)
Description succincte :
     ..............................................................................
6. DÉCLARATION ET SIGNATURES
6.1. Signature de l’organisation par le représentant légal
   Nom : Lambert ..................................
   Prénom : Claire ................................
   Fonction : Directrice ..........................
   Date : 1er mai 2026 ............................
   Signature : Claire Lambert
6.2. Signature du ou des délégué(s) du/des GT
   GT identifié : Sensibilisation des établissements pour aînés ........
   Nom : Dumont ...................................
   Prénom : Sophie ................................
   Fonction : Infirmière en chef ..................
   Date : 02.05.2026 ..............................
   Signature :

   GT identifié : Achats durables .................
   Nom : Collard ..................................
   Prénom : Marc ..................................
   Fonction : Économe .............................
   Date : 2-5-26 ..................................
   Signature : Marc Collard
";

#[test]
fn the_official_layout_takes_delegate_names_from_the_signature_blocks() {
    let record = read(OFFICIAL_LAYOUT);
    assert_eq!(record.problems, Vec::<String>::new());
    assert_eq!(
        record.organisation.name.as_deref(),
        Some("Résidence Les Tilleuls")
    );
    assert_eq!(record.organisation.category, Some(Category::ElderlyCare));
    assert_eq!(record.organisation.category_detail, None);
    // A wrapped address joins its lines.
    assert_eq!(
        record.organisation.address.as_deref(),
        Some("Rue des Tilleuls 4, 4000 Liège")
    );
    assert_eq!(record.contact_point, None, "an empty contact block is null");
    let groups: Vec<_> = record.working_groups.iter().map(|g| g.code).collect();
    assert_eq!(
        groups,
        [
            WorkingGroupCode::Procurement,
            WorkingGroupCode::ElderlyAwareness
        ]
    );
    let procurement = &record.working_groups[0];
    assert_eq!(procurement.delegate.last_name.as_deref(), Some("Collard"));
    assert_eq!(procurement.delegate.first_name.as_deref(), Some("Marc"));
    assert_eq!(procurement.delegate.function.as_deref(), Some("Économe"));
    assert_eq!(
        procurement.delegate.email.as_deref(),
        Some("economat@tilleuls.example")
    );
    assert_eq!(procurement.actions_option, Some(2));
    assert!(procurement.actions.is_empty());
    let awareness = &record.working_groups[1];
    assert_eq!(awareness.delegate.last_name.as_deref(), Some("Dumont"));
    assert_eq!(awareness.delegate.first_name.as_deref(), Some("Sophie"));
    assert_eq!(awareness.delegate.phone.as_deref(), Some("04 222 33 60"));
    assert_eq!(awareness.actions_option, Some(1));
    assert_eq!(
        awareness.actions,
        [
            "Une semaine « zéro gaspillage » avec les résidents.",
            "Former les référents durabilité de chaque étage."
        ]
    );
    assert_eq!(
        record.ecosystem, None,
        "section 4 empty for a final beneficiary"
    );
    assert_eq!(record.existing_initiatives, None);
    let legal = &record.signatures.legal_representative;
    assert_eq!(legal.date.as_deref(), Some("2026-05-01"));
    assert!(legal.signed);
    let delegates = &record.signatures.delegates;
    assert_eq!(delegates.len(), 2);
    assert_eq!(delegates[0].code, WorkingGroupCode::ElderlyAwareness);
    assert_eq!(delegates[0].date.as_deref(), Some("2026-05-02"));
    assert!(
        !delegates[0].signed,
        "an empty signature line is not signed"
    );
    assert_eq!(delegates[1].code, WorkingGroupCode::Procurement);
    assert_eq!(delegates[1].date.as_deref(), Some("2026-05-02"));
    assert!(delegates[1].signed);
}

#[test]
fn one_delegate_named_for_two_groups_counts_for_each() {
    let text = "\
3.1. Sélection des groupes thématiques souhaités
☒ Décarbonation (réservé aux hôpitaux)
☐ Achats durables
☒ Infrastructures durables
Délégué désigné pour les GT :
    GT identifié : Décarbonation, Infrastructures durables ............
    Nom : Piérard .......................
    Prénom : Benoît .....................
    Fonction : Ingénieur ................
    Email : b.pierard@example.test ......
    Téléphone : 071 00 00 00 ............
6.2. Signature du ou des délégué(s) du/des GT
    GT identifié : Décarbonation et
          Infrastructures durables
    Nom : Piérard ........................
    Prénom : Benoît ......................
    Fonction : Ingénieur .................
    Date : 14-04-26 ......................
    Signature : Benoît Piérard
";
    let record = read(text);
    assert_eq!(record.problems, Vec::<String>::new());
    let codes: Vec<_> = record.working_groups.iter().map(|g| g.code).collect();
    assert_eq!(
        codes,
        [
            WorkingGroupCode::Decarbonisation,
            WorkingGroupCode::Infrastructure
        ]
    );
    for group in &record.working_groups {
        assert_eq!(group.delegate.last_name.as_deref(), Some("Piérard"));
        assert_eq!(group.delegate.phone.as_deref(), Some("071 00 00 00"));
    }
    let signed: Vec<_> = record
        .signatures
        .delegates
        .iter()
        .map(|s| (s.code, s.last_name.as_deref(), s.date.as_deref(), s.signed))
        .collect();
    assert_eq!(
        signed,
        [
            (
                WorkingGroupCode::Decarbonisation,
                Some("Piérard"),
                Some("2026-04-14"),
                true
            ),
            (
                WorkingGroupCode::Infrastructure,
                Some("Piérard"),
                Some("2026-04-14"),
                true
            ),
        ]
    );
}

#[test]
fn dates_are_read_in_every_shape_members_write_them() {
    let dates = rules().dates;
    let cases = [
        ("14/04/2026", Some("2026-04-14")),
        ("14-04-26", Some("2026-04-14")),
        ("14.04.2026", Some("2026-04-14")),
        ("14 avril 2026", Some("2026-04-14")),
        ("1er mai 2026", Some("2026-05-01")),
        ("1ER MAI 2026", Some("2026-05-01")),
        ("3 févr. 2026", Some("2026-02-03")),
        ("17 août 2026", Some("2026-08-17")),
        ("7/4/2026", Some("2026-04-07")),
        ("2026-04-14", Some("2026-04-14")),
        ("31/04/2026", None),
        ("29/02/2026", None),
        ("14 avrill 2026", None),
        ("avril 2026", None),
        ("14/04", None),
        ("mardi 14 avril 2026", None),
        ("14/04/202", None),
        ("", None),
    ];
    for (written, expected) in cases {
        assert_eq!(
            parse_date(written, &dates).as_deref(),
            expected,
            "{written:?}"
        );
    }
}

#[test]
fn an_unreadable_date_is_null_and_reported() {
    let text = "\
6.1. Signature de l’organisation par le représentant légal
   Nom : Lejeune ......
   Date : la semaine prochaine .......
   Signature : M. Lejeune
";
    let record = read(text);
    assert_eq!(record.signatures.legal_representative.date, None);
    assert!(record.signatures.legal_representative.signed);
    assert_eq!(record.problems, ["form.date_unreadable"]);
}

#[test]
fn dot_leader_only_values_are_null_and_leaders_are_trimmed() {
    let text = "\
1. IDENTIFICATION DE L’ORGANISATION
Dénomination officielle : ……………………………………
Adresse du siège social :    Rue   Haute  3 ,  Namur  _______________
IDENTIFICATION DU REPRÉSENTANT LÉGAL DE L’ORGANISATION
   Nom : . . . . . . . . . . . . .
   Prénom : Jean-Luc…
   Fonction : Directeur etc...
   Email : jl@example.test .........  .........
   Téléphone : .
";
    let record = read(text);
    assert_eq!(record.organisation.name, None);
    assert_eq!(
        record.organisation.address.as_deref(),
        Some("Rue Haute 3 , Namur")
    );
    let person = &record.legal_representative;
    assert_eq!(person.last_name, None);
    assert_eq!(
        person.first_name.as_deref(),
        Some("Jean-Luc…"),
        "one … is typed"
    );
    assert_eq!(person.function.as_deref(), Some("Directeur etc..."));
    assert_eq!(person.email.as_deref(), Some("jl@example.test"));
    assert_eq!(person.phone, None);
}

#[test]
fn an_empty_contact_block_is_null_and_a_filled_one_is_read() {
    let empty = "\
IDENTIFICATION DU POINT DE CONTACT DE L’ORGANISATION
(Si différent du représentant légal de l’organisation)
   Nom : ................
   Prénom : .............
   Fonction :
   Email : ..............
   Téléphone : ..........
";
    assert_eq!(read(empty).contact_point, None);
    let filled = empty.replace("Email : ..............", "Email : a@b.example ....");
    let contact = read(&filled).contact_point.expect("contact point");
    assert_eq!(contact.email.as_deref(), Some("a@b.example"));
    assert_eq!(contact.last_name, None);
}

#[test]
fn page_furniture_between_a_wrapped_value_is_dropped() {
    let text = "\
5. INITIATIVES EXISTANTES AU SEIN DE L’ORGANISATION (à compléter par tous)
Description succincte :
    Une cellule environnement depuis 2022 et un plan de mobilité
                                     Page 4 sur 6
\u{c}                 Alliance Santé en Transition en Wallonie (ASeT-W) — Convention d’engagement 2026-2029
    pour le personnel.
";
    let record = read(text);
    assert_eq!(
        record.existing_initiatives.as_deref(),
        Some("Une cellule environnement depuis 2022 et un plan de mobilité pour le personnel.")
    );
}

#[test]
fn several_ticked_categories_give_no_category_and_a_problem() {
    let text = "\
1. IDENTIFICATION DE L’ORGANISATION
  [X] Hôpital (bénéficiaire final)
  X Établissement pour aînés (bénéficiaire final)
  [ ] Autre acteur de l’écosystème de santé
";
    let record = read(text);
    assert_eq!(record.organisation.category, None);
    assert_eq!(record.problems, ["organisation.type_multiple"]);
}

#[test]
fn a_group_name_nobody_knows_is_reported() {
    let text = "\
3.1. Sélection des groupes thématiques souhaités
Délégué désigné pour les GT :
    GT identifié : Mobilité douce ......
    Nom : Martin ....
";
    let record = read(text);
    assert!(record.working_groups.is_empty());
    assert_eq!(record.problems, ["form.working_group_unrecognised"]);
}

#[test]
fn odd_input_never_panics() {
    let rules = rules();
    let empty = read_text(&[], &rules);
    assert_eq!(empty.problems, ["form.not_recognised"]);
    assert_eq!(
        comparable(&empty),
        comparable(&FormRecord::empty(SourceKind::TextPdf))
    );
    let blank_pages = read_text(
        &[Vec::new(), vec![String::new()], vec!["\u{c}".to_owned()]],
        &rules,
    );
    assert_eq!(blank_pages.problems, ["form.not_recognised"]);

    let garbage: Vec<String> = (0..10_000_u32)
        .map(|i| {
            let c = char::from_u32(0x20 + (i * 7919) % 0x2F00).unwrap_or('?');
            format!(
                "{}{c}{}:{c} ☒ …… {i}",
                " ".repeat((i % 40) as usize),
                c.to_string().repeat((i % 13) as usize)
            )
        })
        .collect();
    let record = read_text(&[garbage], &rules);
    assert!(record.problems.contains(&"form.not_recognised".to_owned()));

    let ticks = vec!["☒".to_owned(); 50];
    let labels_only: Vec<String> = [
        "Nom :",
        "Date :",
        "GT identifié :",
        "☒",
        "X",
        "[X]",
        "Signature :",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for section in [
        "1. IDENTIFICATION DE L’ORGANISATION",
        "3.1. Sélection des groupes thématiques souhaités",
        "6.2. Signature du ou des délégué(s) du/des GT",
    ] {
        let mut page = vec![section.to_owned()];
        page.extend(ticks.iter().cloned());
        page.extend(labels_only.iter().cloned());
        let _ = read_text(&[page], &rules);
    }

    let long_value = format!("Description succincte : {}", "mot ".repeat(50_000));
    let mut page = vec![
        "5. INITIATIVES EXISTANTES AU SEIN DE L’ORGANISATION".to_owned(),
        long_value,
    ];
    page.extend((0..1_000).map(|_| "    suite du texte".to_owned()));
    let record = read_text(&[page], &rules);
    assert!(record.problems.contains(&"form.value_truncated".to_owned()));
    assert!(record
        .existing_initiatives
        .is_some_and(|v| v.chars().count() <= 8_000));
}

/// The other extractor prints the same page a little differently: no bullet glyph or
/// another one, "…" or "_" leaders, wider gaps, no blank lines, no page furniture, one
/// page. Each variant of each text fixture must still give the expected record.
#[test]
fn the_text_fixtures_survive_what_another_extractor_may_do() {
    type Variant = (&'static str, fn(&str) -> String);
    let variants: [Variant; 7] = [
        ("no bullet glyph", |text| text.replace('\u{f0b7}', "")),
        ("bullet as •", |text| text.replace('\u{f0b7}', "•")),
        ("leaders as …", |text| dots_to(text, "…", 3)),
        ("leaders as _", |text| dots_to(text, "_", 1)),
        ("wider gaps", |text| {
            text.lines()
                .map(|line| {
                    let body = line.trim_start();
                    let indent = line.len() - body.len();
                    format!("{}{}", " ".repeat(indent), body.replace("  ", "    "))
                })
                .collect::<Vec<_>>()
                .join("\n")
        }),
        ("no blank lines", |text| {
            text.lines()
                .filter(|line| !line.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        }),
        ("no furniture, one page, CRLF", |text| {
            text.replace('\u{c}', "\n")
                .lines()
                .filter(|line| {
                    !line.contains("Page ") && !line.contains("Convention d’engagement 2026-2029")
                })
                .collect::<Vec<_>>()
                .join("\r\n")
        }),
    ];
    for name in ["a-hospital-complete", "c-ecosystem-complete"] {
        let text = fixture(&format!("{name}.layout.txt"));
        let expected: serde_json::Value =
            serde_json::from_str(&fixture(&format!("{name}.expected.json"))).expect("json");
        for (variant, transform) in &variants {
            let record = read(&transform(&text));
            assert_eq!(
                serde_json::to_string_pretty(&comparable(&record)).expect("pretty"),
                serde_json::to_string_pretty(&expected).expect("pretty"),
                "{name}, {variant}"
            );
            assert_eq!(record.problems, Vec::<String>::new(), "{name}, {variant}");
        }
    }
}

/// `text` with every run of four or more dots written with `leader` instead.
fn dots_to(text: &str, leader: &str, dots_per_leader: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = 0;
    let flush = |out: &mut String, run: usize| {
        if run >= 4 {
            out.push_str(&leader.repeat(run.div_ceil(dots_per_leader)));
        } else {
            out.push_str(&".".repeat(run));
        }
    };
    for c in text.chars() {
        if c == '.' {
            run += 1;
        } else {
            flush(&mut out, run);
            run = 0;
            out.push(c);
        }
    }
    flush(&mut out, run);
    out
}

/// GIVEN one group ticked and blocks that leave "GT identifié" empty
/// WHEN the form is read THEN those blocks are that group's; a group named in a block
/// but not ticked is still listed (after the ticked ones), for `validate/` to judge.
#[test]
fn blocks_without_a_group_belong_to_the_only_ticked_group() {
    let text = "\
3.1. Sélection des groupes thématiques souhaités
☐ Décarbonation (réservé aux hôpitaux)
☒ Achats durables
Délégué désigné pour les GT :
    GT identifié : ...........
    Nom : Sépulchre ..........
    Prénom : Nadia ...........
3.2. Actions concrètes envisagées
GT identifié : ...............
☐ Option 1 — Deux actions
☒ Option 2 — Actions pas encore définies
GT identifié : Infrastructures durables ......
☒ Option 1 — Deux actions
    • Action 1 envisagée : Isoler la toiture
6.2. Signature du ou des délégué(s) du/des GT
    Nom : Sépulchre ...........
    Date : 17/04/2026 .........
    Signature : Nadia Sépulchre
";
    let record = read(text);
    assert_eq!(record.problems, Vec::<String>::new());
    let groups: Vec<_> = record
        .working_groups
        .iter()
        .map(|g| {
            (
                g.code,
                g.delegate.last_name.as_deref(),
                g.actions_option,
                g.actions.len(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            (WorkingGroupCode::Procurement, Some("Sépulchre"), Some(2), 0),
            (WorkingGroupCode::Infrastructure, None, Some(1), 1),
        ]
    );
    let signed: Vec<_> = record.signatures.delegates.iter().map(|s| s.code).collect();
    assert_eq!(signed, [WorkingGroupCode::Procurement]);
}

/// LibreOffice 7.4's metrics wrap a long label before its colon: the colon alone on the
/// next line is the end of the label, not a value (found with libreoffice.py's exports).
#[test]
fn a_label_colon_wrapped_to_its_own_line_is_not_a_value() {
    let text = "\
4. ENGAGEMENT DES ACTEURS DE L’ÉCOSYSTÈME (à compléter par les
acteurs de l’écosystème uniquement)
4.1. Contribution au réseau d’apprentissage
   Précisez brièvement la nature des contributions que votre organisation peut apporter
    :
    .......................................................................................
";
    let record = read(text);
    assert_eq!(
        record
            .ecosystem
            .as_ref()
            .and_then(|e| e.contribution.as_deref()),
        None
    );
}

/// OCR reads a label's colon as a dash now and then: the value still follows the label.
#[test]
fn a_label_followed_by_a_dash_instead_of_its_colon_still_gives_its_value() {
    let text = "\
1. IDENTIFICATION DE L’ORGANISATION
Dénomination officielle - Clinique Fictive du Val
Adresse du siège social : Rue Haute 3, 5000 Namur
";
    let record = read(text);
    assert_eq!(
        record.organisation.name.as_deref(),
        Some("Clinique Fictive du Val")
    );
}

/// Issue 17: OCR glues a label to the next word ("GTidentifié"), splits one
/// ("Télé phone") and glues a section number to its heading ("6.2.Signature"); the
/// form reads the same.
#[test]
fn labels_and_headings_glued_or_split_as_ocr_prints_them_read_the_same() {
    let text = fixture("a-hospital-complete.layout.txt")
        .replace("GT identifié", "GTidentifié")
        .replace("Téléphone", "Télé phone")
        .replace("6.2. Signature", "6.2.Signature")
        .replace("3.1. Sélection", "3.1.Sélection");
    let expected: serde_json::Value =
        serde_json::from_str(&fixture("a-hospital-complete.expected.json")).expect("json");
    assert_eq!(comparable(&read(&text)), expected);
    let sections: Vec<SectionKind> = section_pages(&pages(&text), &rules())
        .into_iter()
        .map(|(kind, _)| kind)
        .collect();
    assert!(
        sections.contains(&SectionKind::DelegateSignatures),
        "{sections:?}"
    );
    assert!(
        sections.contains(&SectionKind::WorkingGroups),
        "{sections:?}"
    );
}

/// In OCR text only, a heading a letter or two away from the form's opens its section;
/// a short phrase must match exactly, and a text layer's headings always do.
#[test]
fn ocr_text_opens_a_section_under_a_heading_misspelt_by_a_letter() {
    let text = fixture("a-hospital-complete.layout.txt")
        .replace("3.1. Sélection des groupes", "3.1. Sélection des gro pes")
        .replace("6.2. Signature du ou des", "6.2. Signatre du ou des");
    let expected: serde_json::Value =
        serde_json::from_str(&fixture("a-hospital-complete.expected.json")).expect("json");
    assert_eq!(
        comparable(&read_ocr_text(&pages(&text), &rules())),
        expected
    );
    assert_ne!(comparable(&read(&text)), expected);
    assert!(opens_nearly(
        "selection des gro pes thematiques",
        "selection des groupes thematiques"
    ));
    assert!(!opens_nearly(
        "selection des achats",
        "selection des groupes thematiques"
    ));
    assert!(!opens_nearly("", "selection des groupes thematiques"));
}
