//! The membership form of an alliance, as data: `rules/<alliance>/form.toml`.
//!
//! Everything the form prints — section headings, field labels, checkbox glyphs, the
//! wording of each option, French month names, the names of the fillable PDF's fields —
//! lives in this file, so that a revised form or another alliance's form is a rules
//! change. The readers in `form/` (`labels.rs` for the text layer, `acroform.rs` for
//! fillable PDFs) only know the *shape* of a form: sections that hold labelled values,
//! ticked options, and repeated blocks (one per delegate).
//!
//! Phrases are written as printed. The readers fold phrase and text alike before
//! comparing (case, accents, ligatures, apostrophes, dashes, runs of spaces).

use std::collections::{BTreeMap, BTreeSet};

use serde::de::IntoDeserializer;
use serde::Deserialize;

/// Organisation categories the form record knows (form 1), in the record's spelling.
pub const CATEGORY_CODES: [&str; 3] = ["hospital", "elderly_care", "ecosystem"];

/// Working groups the form record knows (form 3.1, annex 1), in the record's spelling.
pub const WORKING_GROUP_CODES: [&str; 5] = [
    "decarbonisation",
    "procurement",
    "resilience",
    "elderly_awareness",
    "infrastructure",
];

/// The whole description of one alliance's membership form.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormRules {
    /// How the text layer is laid out: bullets, page furniture, dotted lines.
    pub layout: Layout,
    /// The sections, by their headings, and what the reader takes from each.
    pub sections: Vec<SectionRule>,
    /// The label printed before each field's value.
    pub fields: FieldLabels,
    /// Lines that open a repeated block without holding a value.
    pub markers: Markers,
    /// Glyphs that show a box ticked or not.
    pub checkboxes: Checkboxes,
    /// Organisation categories (form 1): record code and printed wording.
    pub categories: Vec<OptionRule>,
    /// Working groups (form 3.1): record code and printed wording.
    pub working_groups: Vec<OptionRule>,
    /// The other options of the form (3.2 and 4.3).
    pub options: OptionLabels,
    /// How dates are written by hand.
    pub dates: DateRules,
    /// The fillable PDF's field names.
    pub acroform: AcroformRules,
}

/// Layout of the text layer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Symbols that open a bulleted line; removed before the line is read.
    pub bullets: Vec<String>,
    /// Whole lines printed on every page (running header, "Page 2 sur 6"); `#` stands
    /// for a number. Dropped before reading.
    pub furniture: Vec<String>,
    /// Characters of the dotted lines values are written on (one character each).
    pub leader_chars: Vec<String>,
    /// How many leader characters in a row make a dotted line rather than punctuation
    /// a person typed ("etc...").
    pub leader_min_run: usize,
    /// Fields holding a sentence, whose final full stop a dotted line swallows.
    #[serde(default)]
    pub sentence_fields: Vec<Field>,
}

/// What a section of the form holds, hence what the reader takes from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// Form 1: name, category, address.
    Organisation,
    /// Form 2 (printed without its number): the legal representative.
    LegalRepresentative,
    /// Form 2: the contact point, when different from the representative.
    ContactPoint,
    /// Form 3.1: ticked working groups and one block per delegate.
    WorkingGroups,
    /// Form 3.2: one block per working group, with the chosen option and two actions.
    Actions,
    /// Form 4: the ecosystem actor's commitments.
    Ecosystem,
    /// Form 5: existing initiatives.
    ExistingInitiatives,
    /// Form 6.1: the legal representative's signature block.
    LegalSignature,
    /// Form 6.2: one signature block per delegate.
    DelegateSignatures,
    /// Nothing to read (title, preambles, return address, privacy notice).
    Other,
}

impl SectionKind {
    /// Every kind, in the order the form prints them.
    pub const ALL: [SectionKind; 10] = [
        SectionKind::Organisation,
        SectionKind::LegalRepresentative,
        SectionKind::ContactPoint,
        SectionKind::WorkingGroups,
        SectionKind::Actions,
        SectionKind::Ecosystem,
        SectionKind::ExistingInitiatives,
        SectionKind::LegalSignature,
        SectionKind::DelegateSignatures,
        SectionKind::Other,
    ];

    /// Whether the section repeats a block of fields (one per delegate or group).
    pub fn has_blocks(self) -> bool {
        matches!(
            self,
            SectionKind::WorkingGroups | SectionKind::Actions | SectionKind::DelegateSignatures
        )
    }

    /// The snake_case name used in `form.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::Organisation => "organisation",
            SectionKind::LegalRepresentative => "legal_representative",
            SectionKind::ContactPoint => "contact_point",
            SectionKind::WorkingGroups => "working_groups",
            SectionKind::Actions => "actions",
            SectionKind::Ecosystem => "ecosystem",
            SectionKind::ExistingInitiatives => "existing_initiatives",
            SectionKind::LegalSignature => "legal_signature",
            SectionKind::DelegateSignatures => "delegate_signatures",
            SectionKind::Other => "other",
        }
    }
}

/// One section: the headings that open it and what it holds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionRule {
    /// What the reader takes from the section.
    pub reads: SectionKind,
    /// Heading lines that open it, as printed; the section number is optional.
    pub headings: Vec<String>,
}

/// A field of the form: what a label announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Form 1: "Dénomination officielle".
    OrganisationName,
    /// Form 1: "Précisez" under the ecosystem category.
    CategoryDetail,
    /// Form 1: "Adresse du siège social".
    Address,
    /// A person's last name.
    LastName,
    /// A person's first name.
    FirstName,
    /// A person's function.
    Function,
    /// A person's e-mail address.
    Email,
    /// A person's phone number.
    Phone,
    /// Form 3.1, 3.2, 6.2: "GT identifié", naming one or more working groups.
    WorkingGroup,
    /// Form 3.2: first action.
    #[serde(rename = "action_1")]
    Action1,
    /// Form 3.2: second action.
    #[serde(rename = "action_2")]
    Action2,
    /// Form 4.1: contributions to the learning network.
    Contribution,
    /// Form 4.2: expertise offered.
    Expertise,
    /// Form 4.3: the internal action.
    InternalActionDescription,
    /// Form 5: existing initiatives.
    ExistingInitiatives,
    /// Form 6: date of a signature.
    Date,
    /// Form 6: the signature line.
    Signature,
}

/// The labels of every field; each list holds the ways the label is printed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldLabels {
    /// Form 1.
    pub organisation_name: Vec<String>,
    /// Form 1.
    pub category_detail: Vec<String>,
    /// Form 1.
    pub address: Vec<String>,
    /// Any person block.
    pub last_name: Vec<String>,
    /// Any person block.
    pub first_name: Vec<String>,
    /// Any person block.
    pub function: Vec<String>,
    /// Any person block.
    pub email: Vec<String>,
    /// Any person block.
    pub phone: Vec<String>,
    /// Form 3.1, 3.2, 6.2.
    pub working_group: Vec<String>,
    /// Form 3.2.
    pub action_1: Vec<String>,
    /// Form 3.2.
    pub action_2: Vec<String>,
    /// Form 4.1.
    pub contribution: Vec<String>,
    /// Form 4.2.
    pub expertise: Vec<String>,
    /// Form 4.3.
    pub internal_action_description: Vec<String>,
    /// Form 5.
    pub existing_initiatives: Vec<String>,
    /// Form 6.
    pub date: Vec<String>,
    /// Form 6.
    pub signature: Vec<String>,
}

impl FieldLabels {
    /// Every field with its labels.
    pub fn all(&self) -> [(Field, &[String]); 17] {
        [
            (Field::OrganisationName, &self.organisation_name),
            (Field::CategoryDetail, &self.category_detail),
            (Field::Address, &self.address),
            (Field::LastName, &self.last_name),
            (Field::FirstName, &self.first_name),
            (Field::Function, &self.function),
            (Field::Email, &self.email),
            (Field::Phone, &self.phone),
            (Field::WorkingGroup, &self.working_group),
            (Field::Action1, &self.action_1),
            (Field::Action2, &self.action_2),
            (Field::Contribution, &self.contribution),
            (Field::Expertise, &self.expertise),
            (
                Field::InternalActionDescription,
                &self.internal_action_description,
            ),
            (Field::ExistingInitiatives, &self.existing_initiatives),
            (Field::Date, &self.date),
            (Field::Signature, &self.signature),
        ]
    }
}

/// Lines that open a block without holding a value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Markers {
    /// Form 3.1: "Délégué désigné pour les GT :" opens one delegate's block.
    pub delegate_block: Vec<String>,
}

/// Checkbox glyphs, compared exactly (not folded).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkboxes {
    /// A ticked box.
    pub ticked: Vec<String>,
    /// An empty box.
    pub unticked: Vec<String>,
}

/// One option of a closed list: the record's code and the printed wording.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionRule {
    /// The record's code (`hospital`, `decarbonisation`…).
    pub code: String,
    /// The wording printed beside the box; a checkbox line opens with one of them.
    pub labels: Vec<String>,
    /// Shorter names people write in a free-text value ("GT identifié : Résilience").
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// The wording of the other options.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionLabels {
    /// Form 3.2: option 1, two actions identified.
    pub actions_option_1: Vec<String>,
    /// Form 3.2: option 2, actions not yet defined.
    pub actions_option_2: Vec<String>,
    /// Form 4.3: the organisation will carry out an internal action.
    pub internal_action: Vec<String>,
}

/// An option a box stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OptionRef {
    /// Form 1: an organisation category, by record code.
    Category(String),
    /// Form 3.1: a working group, by record code.
    WorkingGroup(String),
    /// Form 3.2: option 1.
    ActionsOption1,
    /// Form 3.2: option 2.
    ActionsOption2,
    /// Form 4.3: the internal action.
    InternalAction,
}

impl FormRules {
    /// Parses `form.toml`.
    ///
    /// # Errors
    /// Bad TOML, a missing key or an unknown one (`deny_unknown_fields`).
    pub fn from_toml(text: &str) -> Result<FormRules, toml::de::Error> {
        toml::from_str(text)
    }

    /// The options a section's checkbox lines may stand for, with their wording.
    pub fn options_of(&self, section: SectionKind) -> Vec<(OptionRef, &[String])> {
        match section {
            SectionKind::Organisation => self
                .categories
                .iter()
                .map(|option| (OptionRef::Category(option.code.clone()), &option.labels[..]))
                .collect(),
            SectionKind::WorkingGroups => self
                .working_groups
                .iter()
                .map(|option| {
                    (
                        OptionRef::WorkingGroup(option.code.clone()),
                        &option.labels[..],
                    )
                })
                .collect(),
            SectionKind::Actions => vec![
                (
                    OptionRef::ActionsOption1,
                    &self.options.actions_option_1[..],
                ),
                (
                    OptionRef::ActionsOption2,
                    &self.options.actions_option_2[..],
                ),
            ],
            SectionKind::Ecosystem => {
                vec![(OptionRef::InternalAction, &self.options.internal_action[..])]
            }
            _ => Vec::new(),
        }
    }

    /// Everything wrong with these rules that parsing alone does not catch, one line
    /// each (empty when the rules are usable).
    pub fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        check_codes(
            "categories",
            &self.categories,
            &CATEGORY_CODES,
            &mut problems,
        );
        check_codes(
            "working_groups",
            &self.working_groups,
            &WORKING_GROUP_CODES,
            &mut problems,
        );
        self.check_sections(&mut problems);
        self.check_labels(&mut problems);
        self.check_layout(&mut problems);
        self.dates.check(&mut problems);
        for (name, target) in &self.acroform.fields {
            if let Some(problem) = self.target_problem(target) {
                problems.push(format!("[acroform.fields] {name:?}: {problem}"));
            }
        }
        problems
    }

    fn check_sections(&self, problems: &mut Vec<String>) {
        for kind in SectionKind::ALL {
            if kind != SectionKind::Other && !self.sections.iter().any(|s| s.reads == kind) {
                problems.push(format!(
                    "[[sections]]: no section reads `{}`",
                    kind.as_str()
                ));
            }
        }
        for section in &self.sections {
            if blank(&section.headings) {
                problems.push(format!(
                    "[[sections]] `{}`: a heading is empty or missing",
                    section.reads.as_str()
                ));
            }
        }
    }

    fn check_labels(&self, problems: &mut Vec<String>) {
        let mut seen: BTreeMap<String, Field> = BTreeMap::new();
        for (field, labels) in self.fields.all() {
            if blank(labels) {
                problems.push(format!("[fields] {field:?}: a label is empty or missing"));
            }
            for label in labels {
                let key = label.trim().to_lowercase();
                if let Some(other) = seen.insert(key, field) {
                    if other != field {
                        problems.push(format!(
                            "[fields] {label:?} labels both {other:?} and {field:?}"
                        ));
                    }
                }
            }
        }
        let lists = [
            ("markers.delegate_block", &self.markers.delegate_block),
            ("options.actions_option_1", &self.options.actions_option_1),
            ("options.actions_option_2", &self.options.actions_option_2),
            ("options.internal_action", &self.options.internal_action),
            ("checkboxes.ticked", &self.checkboxes.ticked),
        ];
        for (name, list) in lists {
            if blank(list) {
                problems.push(format!("[{name}]: an entry is empty or missing"));
            }
        }
    }

    fn check_layout(&self, problems: &mut Vec<String>) {
        if self
            .layout
            .leader_chars
            .iter()
            .any(|leader| leader.chars().count() != 1)
        {
            problems.push("[layout] leader_chars: each entry must be one character".to_owned());
        }
        if self.layout.leader_min_run < 2 {
            problems.push("[layout] leader_min_run: must be at least 2".to_owned());
        }
        if self
            .layout
            .furniture
            .iter()
            .any(|line| line.trim().is_empty())
        {
            problems.push("[layout] furniture: an entry is empty".to_owned());
        }
    }

    fn target_problem(&self, target: &AcroTarget) -> Option<String> {
        let needs_block = matches!(target.what, AcroWhat::Field(_));
        if !target.section.has_blocks() && target.slot != 0 {
            return Some(format!(
                "section `{}` has no numbered blocks",
                target.section.as_str()
            ));
        }
        if target.section.has_blocks() && needs_block && target.slot == 0 {
            return Some(format!(
                "section `{}` needs a block number (`{}.1.…`)",
                target.section.as_str(),
                target.section.as_str()
            ));
        }
        let known = |code: &str, list: &[OptionRule]| list.iter().any(|o| o.code == code);
        match &target.what {
            AcroWhat::Option(OptionRef::Category(code)) if !known(code, &self.categories) => {
                Some(format!("unknown category `{code}`"))
            }
            AcroWhat::Option(OptionRef::WorkingGroup(code))
                if !known(code, &self.working_groups) =>
            {
                Some(format!("unknown working group `{code}`"))
            }
            _ => None,
        }
    }
}

fn blank(list: &[String]) -> bool {
    list.is_empty() || list.iter().any(|entry| entry.trim().is_empty())
}

fn check_codes(table: &str, options: &[OptionRule], known: &[&str], problems: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for option in options {
        if !known.contains(&option.code.as_str()) {
            problems.push(format!(
                "[[{table}]]: unknown code `{}` (known: {})",
                option.code,
                known.join(", ")
            ));
        }
        if !seen.insert(option.code.as_str()) {
            problems.push(format!("[[{table}]]: `{}` twice", option.code));
        }
        if blank(&option.labels) || option.aliases.iter().any(|a| a.trim().is_empty()) {
            problems.push(format!(
                "[[{table}]] `{}`: a label is empty or missing",
                option.code
            ));
        }
    }
    for code in known {
        if !seen.contains(code) {
            problems.push(format!("[[{table}]]: `{code}` is missing"));
        }
    }
}

/// How people write dates on the form.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRules {
    /// Twelve lists, January first: the month's name and its abbreviations.
    pub months: Vec<Vec<String>>,
    /// Suffixes of ordinal day numbers ("1er mai").
    #[serde(default)]
    pub ordinal_suffixes: Vec<String>,
    /// The century a two-digit year belongs to ("14-04-26" with 2000 → 2026).
    pub two_digit_year_base: i16,
}

impl DateRules {
    fn check(&self, problems: &mut Vec<String>) {
        if self.months.len() != 12 {
            problems.push(format!(
                "[dates] months: 12 lists expected, found {}",
                self.months.len()
            ));
        }
        if self.months.iter().any(|names| blank(names)) {
            problems.push("[dates] months: a month has an empty or missing name".to_owned());
        }
        if self.two_digit_year_base % 100 != 0 {
            problems.push("[dates] two_digit_year_base: must be a whole century".to_owned());
        }
    }
}

/// The fillable PDF's fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcroformRules {
    /// Full field name (partial names joined with `.`) → where its value goes.
    pub fields: BTreeMap<String, AcroTarget>,
}

/// Where an AcroForm field's value goes: `<section>[.<block>].<what>`.
///
/// `<section>` is a [`SectionKind`] name; sections that repeat blocks take a block
/// number from 1 (`working_groups.2.email`). `<what>` is a [`Field`] name (a text
/// field), `category.<code>` or `working_group.<code>` (a checkbox),
/// `actions_option_1`, `actions_option_2`, `internal_action` (checkboxes), or `choice`
/// (a radio group or list whose value names one of the section's options).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct AcroTarget {
    /// The section.
    pub section: SectionKind,
    /// The block, from 1; 0 for sections without blocks.
    pub slot: usize,
    /// What the field holds.
    pub what: AcroWhat,
}

/// What an AcroForm field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcroWhat {
    /// A text value for this field.
    Field(Field),
    /// A checkbox for this option.
    Option(OptionRef),
    /// A radio group or list whose value names one of the section's options.
    Choice,
}

impl TryFrom<String> for AcroTarget {
    type Error = String;

    fn try_from(text: String) -> Result<AcroTarget, String> {
        let invalid = || format!("`{text}` is not `<section>[.<block>].<field or option>`");
        let mut parts = text.split('.');
        let section: SectionKind = parts.next().and_then(from_name).ok_or_else(invalid)?;
        let rest: Vec<&str> = parts.collect();
        let (slot, what) = match rest.split_first() {
            Some((number, what)) if number.bytes().all(|b| b.is_ascii_digit()) => {
                (number.parse::<usize>().map_err(|_| invalid())?, what)
            }
            _ => (0, &rest[..]),
        };
        let what = match what {
            ["choice"] => AcroWhat::Choice,
            ["category", code] => AcroWhat::Option(OptionRef::Category((*code).to_owned())),
            ["working_group", code] => {
                AcroWhat::Option(OptionRef::WorkingGroup((*code).to_owned()))
            }
            ["actions_option_1"] => AcroWhat::Option(OptionRef::ActionsOption1),
            ["actions_option_2"] => AcroWhat::Option(OptionRef::ActionsOption2),
            ["internal_action"] => AcroWhat::Option(OptionRef::InternalAction),
            [field] => AcroWhat::Field(from_name(field).ok_or_else(invalid)?),
            _ => return Err(invalid()),
        };
        Ok(AcroTarget {
            section,
            slot,
            what,
        })
    }
}

/// A unit enum variant from its `form.toml` name.
fn from_name<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    let deserializer: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
        name.into_deserializer();
    T::deserialize(deserializer).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/aset-w/form.toml");
        std::fs::read_to_string(path).expect("rules/aset-w/form.toml")
    }

    #[test]
    fn the_shipped_form_rules_parse_and_pass_their_checks() {
        let rules = FormRules::from_toml(&shipped()).expect("form.toml parses");
        assert_eq!(rules.check(), Vec::<String>::new());
        assert_eq!(rules.acroform.fields.len(), 82);
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let text = shipped().replace("[checkboxes]", "[checkboxes]\ncolour = \"blue\"");
        let error = FormRules::from_toml(&text).expect_err("unknown key");
        assert!(error.to_string().contains("colour"), "{error}");
    }

    #[test]
    fn an_unknown_working_group_code_is_listed_by_check() {
        let text = shipped().replace("code = \"procurement\"", "code = \"purchasing\"");
        let rules = FormRules::from_toml(&text).expect("still parses");
        let problems = rules.check();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("unknown code `purchasing`")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`procurement` is missing")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("unknown working group `procurement`")),
            "{problems:?}"
        );
    }

    #[test]
    fn acroform_targets_parse_from_their_dotted_names() {
        let parse = |text: &str| AcroTarget::try_from(text.to_owned());
        assert_eq!(
            parse("working_groups.2.email"),
            Ok(AcroTarget {
                section: SectionKind::WorkingGroups,
                slot: 2,
                what: AcroWhat::Field(Field::Email),
            })
        );
        assert_eq!(
            parse("organisation.category.hospital").map(|t| t.what),
            Ok(AcroWhat::Option(OptionRef::Category("hospital".to_owned())))
        );
        assert_eq!(
            parse("actions.1.action_1").map(|t| t.what),
            Ok(AcroWhat::Field(Field::Action1))
        );
        assert!(parse("organisation.colour").is_err());
        assert!(parse("nowhere.last_name").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn a_block_number_on_a_section_without_blocks_is_listed_by_check() {
        let text = shipped().replace(
            "rep_nom = \"legal_representative.last_name\"",
            "rep_nom = \"legal_representative.1.last_name\"",
        );
        let rules = FormRules::from_toml(&text).expect("parses");
        assert!(
            rules.check().iter().any(|p| p.contains("rep_nom")),
            "{:?}",
            rules.check()
        );
    }

    #[test]
    fn the_known_codes_are_those_of_the_record() {
        assert!(CATEGORY_CODES.contains(&"elderly_care"));
        assert_eq!(WORKING_GROUP_CODES.len(), 5);
    }
}
