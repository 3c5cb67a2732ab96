//! From what a reader found on the form, section by section, to a [`FormRecord`].
//!
//! Both readers — the text reader (`labels.rs`) and the AcroForm reader
//! (`acroform.rs`) — fill the same [`Found`]: per section of `form.toml`, blocks of
//! labelled values and ticked boxes. This module owns what the form *means*: which
//! block fills which person, which group each block is for, how a delegate named in
//! 3.1 meets the signature of 6.2. Reading single values is `values.rs`'s job.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use std::collections::BTreeMap;

use super::ocr::UNSURE;
use super::pdf_text::MARK;
use super::record::{
    Category, DelegateSignature, Ecosystem, FormRecord, Organisation, Person, Signature,
    SignedWith, SourceKind, WorkingGroupChoice, WorkingGroupCode,
};
use super::values::{parse_date, GroupNames};
use crate::problem::Problem;
use crate::rules::form::{DateRules, Field, FormRules, OptionRef, SectionKind};

/// What a reader found, before it means anything.
#[derive(Debug, Default)]
pub struct Found {
    sections: BTreeMap<SectionKind, Vec<Block>>,
    /// Problems met while reading.
    pub problems: Vec<Problem>,
}

/// One block of a section: labelled values (`None`: the label is there, the value
/// empty) and boxes, in reading order.
#[derive(Debug, Default, Clone)]
pub struct Block {
    values: Vec<(Field, Option<String>)>,
    ticks: Vec<(OptionRef, bool)>,
}

/// The most blocks a repeated section may have (the form prints three; a fillable PDF
/// could number more). Values for later blocks are dropped.
pub const MAX_BLOCKS: usize = 64;

impl Found {
    /// Records `field` in block `slot` of `section` (block 0 is the section's own: its
    /// list of boxes, or everything for sections without blocks).
    pub fn set(&mut self, section: SectionKind, slot: usize, field: Field, value: Option<String>) {
        if let Some(block) = self.block_mut(section, slot) {
            block.values.push((field, value));
        }
    }

    /// Records a box in block `slot` of `section`.
    pub fn tick(&mut self, section: SectionKind, slot: usize, option: OptionRef, ticked: bool) {
        if let Some(block) = self.block_mut(section, slot) {
            block.ticks.push((option, ticked));
        }
    }

    /// The number of the current (last) block of `section`.
    pub fn last_slot(&self, section: SectionKind) -> usize {
        self.sections
            .get(&section)
            .map_or(0, |blocks| blocks.len().saturating_sub(1))
    }

    /// Whether the current block of `section` already has `field`, even empty.
    pub fn last_has(&self, section: SectionKind, field: Field) -> bool {
        self.sections
            .get(&section)
            .and_then(|blocks| blocks.last())
            .is_some_and(|block| block.values.iter().any(|(seen, _)| *seen == field))
    }

    /// Starts a new block in `section`.
    pub fn new_block(&mut self, section: SectionKind) {
        let blocks = self.sections.entry(section).or_default();
        if blocks.is_empty() {
            blocks.push(Block::default());
        }
        if blocks.len() < MAX_BLOCKS {
            blocks.push(Block::default());
        }
    }

    fn block_mut(&mut self, section: SectionKind, slot: usize) -> Option<&mut Block> {
        if slot >= MAX_BLOCKS {
            return None;
        }
        let blocks = self.sections.entry(section).or_default();
        if blocks.len() <= slot {
            blocks.resize_with(slot + 1, Block::default);
        }
        blocks.get_mut(slot)
    }

    fn blocks(&self, section: SectionKind) -> &[Block] {
        self.sections.get(&section).map_or(&[], Vec::as_slice)
    }

    /// The first value of `field` anywhere in `section`.
    fn first(&self, section: SectionKind, field: Field) -> Option<String> {
        self.blocks(section)
            .iter()
            .find_map(|block| block.get(field))
            .map(str::to_owned)
    }

    fn ticked(&self, section: SectionKind) -> Vec<&OptionRef> {
        let mut ticked: Vec<&OptionRef> = Vec::new();
        for block in self.blocks(section) {
            for (option, is_ticked) in &block.ticks {
                if *is_ticked && !ticked.contains(&option) {
                    ticked.push(option);
                }
            }
        }
        ticked
    }
}

impl Block {
    /// The first non-empty value of `field`.
    pub fn get(&self, field: Field) -> Option<&str> {
        self.values
            .iter()
            .find(|(seen, value)| *seen == field && value.is_some())
            .and_then(|(_, value)| value.as_deref())
    }

    fn is_ticked(&self, option: &OptionRef) -> bool {
        self.ticks
            .iter()
            .any(|(seen, ticked)| *ticked && seen == option)
    }

    fn has_content(&self) -> bool {
        self.values.iter().any(|(_, value)| value.is_some())
            || self.ticks.iter().any(|(_, ticked)| *ticked)
    }

    fn person(&self) -> Person {
        let get = |field| self.get(field).map(str::to_owned);
        Person {
            last_name: get(Field::LastName),
            first_name: get(Field::FirstName),
            function: get(Field::Function),
            email: get(Field::Email),
            phone: get(Field::Phone),
        }
    }
}

/// The record `found` describes.
pub fn assemble(found: &Found, rules: &FormRules, kind: SourceKind) -> FormRecord {
    let mut record = FormRecord::empty(kind);
    let mut problems = found.problems.clone();
    record.organisation = organisation(found, &mut problems);
    record.legal_representative = person_of(found, SectionKind::LegalRepresentative);
    let contact = person_of(found, SectionKind::ContactPoint);
    record.contact_point = (!contact.is_empty()).then_some(contact);
    let (working_groups, delegates) = working_groups(found, rules, &mut problems);
    record.working_groups = working_groups;
    record.ecosystem = ecosystem(found);
    record.existing_initiatives =
        found.first(SectionKind::ExistingInitiatives, Field::ExistingInitiatives);
    let legal = found.blocks(SectionKind::LegalSignature);
    record.signatures.legal_representative = merged_signature(legal, &rules.dates, &mut problems);
    record.signatures.delegates = delegates;
    for problem in problems {
        record.add_problem(problem);
    }
    record
}

/// Form 3.1, 3.2 and 6.2: one entry per group chosen, and one signature per group a
/// signing delegate is named for.
///
/// The groups are those ticked in 3.1, in the form's order, then any other group a
/// delegate, actions or signature block names (the member's intent is plain even when
/// the box was forgotten; `validate/` compares).
fn working_groups(
    found: &Found,
    rules: &FormRules,
    problems: &mut Vec<Problem>,
) -> (Vec<WorkingGroupChoice>, Vec<DelegateSignature>) {
    let groups = GroupNames::new(rules);
    let ticked: Vec<WorkingGroupCode> = found
        .ticked(SectionKind::WorkingGroups)
        .into_iter()
        .filter_map(GroupNames::option_code)
        .collect();
    let delegates =
        Blocks::of(found, SectionKind::WorkingGroups, &groups, problems).resolved(&ticked);
    let actions = Blocks::of(found, SectionKind::Actions, &groups, problems).resolved(&ticked);
    let signatures =
        Blocks::of(found, SectionKind::DelegateSignatures, &groups, problems).resolved(&ticked);
    let mut order = ticked.clone();
    for (_, codes) in delegates.iter().chain(&actions).chain(&signatures) {
        for code in codes {
            if !order.contains(code) {
                order.push(*code);
            }
        }
    }
    let choices = order
        .into_iter()
        .map(|code| working_group(code, &delegates, &actions, &signatures, problems))
        .collect();
    let mut signed = Vec::new();
    for (block, codes) in &signatures {
        let signature = signature_of(block, &rules.dates, problems);
        signed.extend(codes.iter().map(|code| DelegateSignature {
            code: *code,
            last_name: signature.last_name.clone(),
            first_name: signature.first_name.clone(),
            function: signature.function.clone(),
            date: signature.date.clone(),
            signed: signature.signed,
        }));
    }
    (choices, signed)
}

fn organisation(found: &Found, problems: &mut Vec<Problem>) -> Organisation {
    let section = SectionKind::Organisation;
    let categories: Vec<Category> = found
        .ticked(section)
        .into_iter()
        .filter_map(|option| match option {
            OptionRef::Category(code) => Category::from_code(code),
            _ => None,
        })
        .collect();
    // form 1: "cocher la catégorie appropriée" — one box; several is for a coordinator.
    let category = match categories.as_slice() {
        [one] => Some(*one),
        [] => None,
        _ => {
            problems.push(Problem::OrganisationTypeMultiple);
            None
        }
    };
    Organisation {
        name: found.first(section, Field::OrganisationName),
        category,
        category_detail: found.first(section, Field::CategoryDetail),
        address: found.first(section, Field::Address),
    }
}

fn person_of(found: &Found, section: SectionKind) -> Person {
    let get = |field| found.first(section, field);
    Person {
        last_name: get(Field::LastName),
        first_name: get(Field::FirstName),
        function: get(Field::Function),
        email: get(Field::Email),
        phone: get(Field::Phone),
    }
}

fn ecosystem(found: &Found) -> Option<Ecosystem> {
    let section = SectionKind::Ecosystem;
    let ecosystem = Ecosystem {
        contribution: found.first(section, Field::Contribution),
        expertise: found.first(section, Field::Expertise),
        internal_action: found
            .blocks(section)
            .iter()
            .any(|block| block.is_ticked(&OptionRef::InternalAction)),
        internal_action_description: found.first(section, Field::InternalActionDescription),
    };
    (ecosystem != Ecosystem::default()).then_some(ecosystem)
}

/// The blocks of a repeated section that hold something, with the groups each names.
struct Blocks<'a> {
    blocks: Vec<(&'a Block, Vec<WorkingGroupCode>)>,
}

impl<'a> Blocks<'a> {
    fn of(
        found: &'a Found,
        section: SectionKind,
        groups: &GroupNames,
        problems: &mut Vec<Problem>,
    ) -> Blocks<'a> {
        let blocks = found
            .blocks(section)
            .iter()
            .filter(|block| {
                block.values.iter().any(|(_, value)| value.is_some())
                    || block.ticks.iter().any(|(option, ticked)| {
                        *ticked && GroupNames::option_code(option).is_none()
                    })
            })
            .map(|block| {
                let codes = match block.get(Field::WorkingGroup) {
                    Some(value) => {
                        let codes = groups.find(value);
                        if codes.is_empty() {
                            problems.push(Problem::FormWorkingGroupUnrecognised);
                        }
                        codes
                    }
                    None => Vec::new(),
                };
                (block, codes)
            })
            .collect();
        Blocks { blocks }
    }

    /// Blocks with their groups. A block that names no group belongs to the only group
    /// ticked in 3.1, when exactly one is ticked and no other block names it.
    fn resolved(self, ticked: &[WorkingGroupCode]) -> Vec<(&'a Block, Vec<WorkingGroupCode>)> {
        let unnamed = self
            .blocks
            .iter()
            .filter(|(block, codes)| codes.is_empty() && block.get(Field::WorkingGroup).is_none())
            .count();
        let named_elsewhere =
            |code: &WorkingGroupCode| self.blocks.iter().any(|(_, codes)| codes.contains(code));
        let inferred = match ticked {
            [only] if unnamed == 1 && !named_elsewhere(only) => Some(*only),
            _ => None,
        };
        self.blocks
            .iter()
            .filter(|(block, _)| block.has_content())
            .map(|(block, codes)| {
                let codes = match (codes.is_empty(), block.get(Field::WorkingGroup), inferred) {
                    (true, None, Some(code)) => vec![code],
                    _ => codes.clone(),
                };
                (*block, codes)
            })
            .filter(|(_, codes)| !codes.is_empty())
            .collect()
    }
}

type Resolved<'a> = [(&'a Block, Vec<WorkingGroupCode>)];

fn block_for<'a>(blocks: &'a Resolved<'a>, code: WorkingGroupCode) -> Option<&'a Block> {
    blocks
        .iter()
        .find(|(_, codes)| codes.contains(&code))
        .map(|(block, _)| *block)
}

fn working_group(
    code: WorkingGroupCode,
    delegates: &Resolved<'_>,
    actions: &Resolved<'_>,
    signatures: &Resolved<'_>,
    problems: &mut Vec<Problem>,
) -> WorkingGroupChoice {
    let mut delegate = block_for(delegates, code)
        .map(Block::person)
        .unwrap_or_default();
    // form 3.1 (official Word form): the delegate block prints no Nom/Prénom; the
    // delegate's names are those of the 6.2 block for the same group.
    if let Some(signed) = block_for(signatures, code) {
        let fill = |slot: &mut Option<String>, field| {
            if slot.is_none() {
                *slot = signed.get(field).map(str::to_owned);
            }
        };
        fill(&mut delegate.last_name, Field::LastName);
        fill(&mut delegate.first_name, Field::FirstName);
        fill(&mut delegate.function, Field::Function);
    }
    let (actions_option, actions) = match block_for(actions, code) {
        Some(block) => {
            let one = block.is_ticked(&OptionRef::ActionsOption1);
            let two = block.is_ticked(&OptionRef::ActionsOption2);
            // form 3.2: "cochez l'option qui vous correspond" — one option per group.
            let option = match (one, two) {
                (true, false) => Some(1),
                (false, true) => Some(2),
                (true, true) => {
                    problems.push(Problem::FormActionsOptionMultiple);
                    None
                }
                (false, false) => None,
            };
            let written = [Field::Action1, Field::Action2]
                .into_iter()
                .filter_map(|field| block.get(field).map(str::to_owned))
                .collect();
            (option, written)
        }
        None => (None, Vec::new()),
    };
    WorkingGroupChoice {
        code,
        delegate,
        actions_option,
        actions,
    }
}

fn merged_signature(blocks: &[Block], dates: &DateRules, problems: &mut Vec<Problem>) -> Signature {
    let mut merged = Block::default();
    for block in blocks {
        merged.values.extend(block.values.iter().cloned());
    }
    signature_of(&merged, dates, problems)
}

fn signature_of(block: &Block, dates: &DateRules, problems: &mut Vec<Problem>) -> Signature {
    let date = block.get(Field::Date).and_then(|written| {
        // A date OCR read a word of with little confidence ("15� avril 2026") is read
        // without the mark and keeps it, so the OCR reader lists it as a doubt.
        let unsure = written.contains(UNSURE);
        let parsed = parse_date(&written.replace(UNSURE, " "), dates);
        if parsed.is_none() {
            problems.push(Problem::FormDateUnreadable);
        }
        parsed.map(|date| {
            if unsure {
                format!("{date}{UNSURE}")
            } else {
                date
            }
        })
    });
    // Form 6.1/6.2 "Signature :": a typed name, an image or strokes drawn by hand (the
    // text reader shows the last two as `pdf_text::MARK`).
    let signed_with = block.get(Field::Signature).map(|value| {
        if value.contains(MARK) {
            SignedWith::Drawn
        } else {
            SignedWith::Typed
        }
    });
    Signature {
        last_name: block.get(Field::LastName).map(str::to_owned),
        first_name: block.get(Field::FirstName).map(str::to_owned),
        function: block.get(Field::Function).map(str::to_owned),
        date,
        signed: signed_with.is_some(),
        signed_with,
    }
}
