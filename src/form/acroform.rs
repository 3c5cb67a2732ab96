//! Reading the membership form from the fields of a fillable PDF (AcroForm).
//!
//! lopdf has no form helper, so this walks `/AcroForm /Fields` itself: kids are
//! followed (`/Kids`), partial names (`/T`) joined with `.`, the field type (`/FT`)
//! inherited; a text field's value is its `/V`, a checkbox's its `/V` name or its
//! widget's appearance state (`/AS`, `/Off` when empty), a radio group's its own `/V`
//! (the parent of the buttons). `[acroform.fields]` in `form.toml` says where each
//! field's value goes; the record is then assembled like the text reader's.
//!
//! Bounded and total: a depth limit on kids, a cap on fields and nodes, every object
//! visited once (reference cycles end there), unexpected types skipped.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::assemble::{assemble, Found};
use super::fold::{boundary_at, fold};
use super::record::{FormRecord, SourceKind};
use super::values::Cleaner;
use crate::problem::Problem;
use crate::rules::form::{AcroTarget, AcroWhat, FormRules, OptionRef, SectionKind};

/// How deep `/Kids` are followed.
const MAX_DEPTH: usize = 32;

/// How many fields are read at most (the ASeT-W form has 82).
const MAX_FIELDS: usize = 4_000;

/// How many dictionaries are visited at most, fields and intermediate nodes together.
const MAX_NODES: usize = 20_000;

/// Reads the form from `document`'s AcroForm fields; `None` when it has none (then
/// the text layer is the form).
///
/// `source` carries `fields` (fields read), `fields_mapped` (named in `form.toml`) and
/// `fields_filled` (mapped fields holding text or a ticked box).
pub fn read_acroform(document: &Document, rules: &FormRules) -> Option<FormRecord> {
    let walk = walk_fields(document);
    if walk.fields.is_empty() {
        return None;
    }
    let cleaner = Cleaner::new(rules);
    let mut found = Found::default();
    let (mut mapped, mut filled) = (0_usize, 0_usize);
    for field in &walk.fields {
        if let Some(target) = target_of(rules, &field.name) {
            mapped += 1;
            filled += usize::from(field.value.is_filled());
            apply(&mut found, target, &field.value, rules, &cleaner);
        }
    }
    if mapped == 0 {
        found.problems.push(Problem::FormNotRecognised);
    }
    if walk.truncated {
        found.problems.push(Problem::FormAcroformTruncated);
    }
    let mut record = assemble(&found, rules, SourceKind::Acroform);
    let details = &mut record.source.details;
    details.insert("fields".to_owned(), walk.fields.len().into());
    details.insert("fields_mapped".to_owned(), mapped.into());
    // None filled: the member may have written on the printed form instead; the caller
    // can read the text layer then.
    details.insert("fields_filled".to_owned(), filled.into());
    Some(record)
}

/// One terminal field: its full name and value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FormField {
    name: String,
    value: FieldValue,
}

/// A field's value as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FieldValue {
    /// A text string (text fields, lists).
    Text(String),
    /// A name: a checkbox's or radio group's state (`Off` when empty).
    Name(String),
    /// No value.
    Empty,
}

impl FieldValue {
    fn text(&self) -> Option<&str> {
        match self {
            FieldValue::Text(text) | FieldValue::Name(text) => Some(text),
            FieldValue::Empty => None,
        }
    }

    /// Whether the member put something in the field (text, or a ticked box).
    fn is_filled(&self) -> bool {
        match self {
            FieldValue::Text(text) => !text.trim().is_empty(),
            FieldValue::Name(_) => self.is_ticked(),
            FieldValue::Empty => false,
        }
    }

    /// A box is ticked when its state is anything but `Off` (the export name, often
    /// `Yes` or `Oui`, is the form author's choice).
    fn is_ticked(&self) -> bool {
        self.text().is_some_and(|state| {
            let state = state.trim();
            !state.is_empty()
                && !state.eq_ignore_ascii_case("off")
                && !state.eq_ignore_ascii_case("false")
                && state != "0"
        })
    }
}

/// The fields found, and whether a limit stopped the walk.
#[derive(Debug, Default)]
struct Walk {
    fields: Vec<FormField>,
    truncated: bool,
}

/// A node waiting to be visited: the object, its parent's full name and field type.
struct Pending<'a> {
    object: &'a Object,
    parent_name: String,
    field_type: Option<Vec<u8>>,
    depth: usize,
}

fn walk_fields(document: &Document) -> Walk {
    let mut walk = Walk::default();
    let Some(roots) = acroform_fields(document) else {
        return walk;
    };
    let mut stack: Vec<Pending<'_>> = roots
        .iter()
        .rev()
        .map(|object| Pending {
            object,
            parent_name: String::new(),
            field_type: None,
            depth: 0,
        })
        .collect();
    let mut visited: HashSet<ObjectId> = HashSet::new();
    let mut nodes = 0_usize;
    while let Some(pending) = stack.pop() {
        nodes += 1;
        if nodes > MAX_NODES || walk.fields.len() >= MAX_FIELDS {
            walk.truncated = true;
            break;
        }
        let Some(dict) = node_dict(document, pending.object, &mut visited) else {
            continue;
        };
        let partial = dict.get(b"T").ok().and_then(|t| text_of(document, t));
        let name = match (&partial, pending.parent_name.is_empty()) {
            (Some(partial), true) => partial.clone(),
            (Some(partial), false) => format!("{}.{partial}", pending.parent_name),
            (None, _) => pending.parent_name.clone(),
        };
        let field_type = dict
            .get(b"FT")
            .ok()
            .and_then(|ft| deref(document, ft).as_name().ok())
            .map(<[u8]>::to_vec)
            .or(pending.field_type);
        let kids = kids_of(document, dict);
        let field_kids: Vec<&Object> = kids
            .iter()
            .copied()
            .filter(|kid| peek_dict(document, kid).is_some_and(|d| d.has(b"T")))
            .collect();
        if field_kids.is_empty() {
            if !name.is_empty() {
                let value = value_of(document, dict, field_type.as_deref(), &kids);
                walk.fields.push(FormField { name, value });
            }
            continue;
        }
        if pending.depth + 1 > MAX_DEPTH {
            walk.truncated = true;
            continue;
        }
        for kid in field_kids.into_iter().rev() {
            stack.push(Pending {
                object: kid,
                parent_name: name.clone(),
                field_type: field_type.clone(),
                depth: pending.depth + 1,
            });
        }
    }
    walk
}

/// `/Root /AcroForm /Fields`, if the document has them.
pub(super) fn acroform_fields(document: &Document) -> Option<&Vec<Object>> {
    let catalog = document.catalog().ok()?;
    let acroform = deref(document, catalog.get(b"AcroForm").ok()?)
        .as_dict()
        .ok()?;
    deref(document, acroform.get(b"Fields").ok()?)
        .as_array()
        .ok()
}

/// `object` itself, or what its reference points to (lopdf bounds reference chains).
pub(super) fn deref<'a>(document: &'a Document, object: &'a Object) -> &'a Object {
    document
        .dereference(object)
        .map_or(&Object::Null, |(_, target)| target)
}

/// The dictionary of a field node, unless its object was visited already.
pub(super) fn node_dict<'a>(
    document: &'a Document,
    object: &'a Object,
    visited: &mut HashSet<ObjectId>,
) -> Option<&'a Dictionary> {
    if let Ok(id) = object.as_reference() {
        if !visited.insert(id) {
            return None;
        }
    }
    deref(document, object).as_dict().ok()
}

/// The dictionary `object` is or points to.
pub(super) fn peek_dict<'a>(document: &'a Document, object: &'a Object) -> Option<&'a Dictionary> {
    deref(document, object).as_dict().ok()
}

/// A field node's `/Kids`.
pub(super) fn kids_of<'a>(document: &'a Document, dict: &'a Dictionary) -> Vec<&'a Object> {
    dict.get(b"Kids")
        .ok()
        .and_then(|kids| deref(document, kids).as_array().ok())
        .map(|kids| kids.iter().collect())
        .unwrap_or_default()
}

/// A text string, name or number as text.
fn text_of(document: &Document, object: &Object) -> Option<String> {
    match deref(document, object) {
        string @ Object::String(..) => lopdf::decode_text_string(string).ok(),
        Object::Name(name) => Some(String::from_utf8_lossy(name).into_owned()),
        Object::Integer(number) => Some(number.to_string()),
        Object::Real(number) => Some(number.to_string()),
        _ => None,
    }
}

fn value_of(
    document: &Document,
    dict: &Dictionary,
    field_type: Option<&[u8]>,
    widgets: &[&Object],
) -> FieldValue {
    let value = dict.get(b"V").ok().map(|v| deref(document, v));
    let value = match value {
        Some(Object::Name(name)) => FieldValue::Name(String::from_utf8_lossy(name).into_owned()),
        Some(Object::Array(items)) => {
            let texts: Vec<String> = items
                .iter()
                .filter_map(|item| text_of(document, item))
                .collect();
            if texts.is_empty() {
                FieldValue::Empty
            } else {
                FieldValue::Text(texts.join(", "))
            }
        }
        Some(other) => text_of(document, other).map_or(FieldValue::Empty, FieldValue::Text),
        None => FieldValue::Empty,
    };
    if value != FieldValue::Empty || field_type != Some(b"Btn".as_slice()) {
        return value;
    }
    // A button without /V: the appearance state of the field's own widget or of its kids.
    std::iter::once(dict)
        .chain(
            widgets
                .iter()
                .filter_map(|widget| peek_dict(document, widget)),
        )
        .filter_map(|widget| widget.get(b"AS").ok())
        .filter_map(|state| deref(document, state).as_name().ok())
        .map(|state| String::from_utf8_lossy(state).into_owned())
        .find(|state| state != "Off")
        .map_or(FieldValue::Name("Off".to_owned()), FieldValue::Name)
}

/// Where the rules send the field `name`: its full name, else its last partial name
/// without an XFA-style index (`form[0].page1[0].denomination[0]` → `denomination`).
fn target_of<'a>(rules: &'a FormRules, name: &str) -> Option<&'a AcroTarget> {
    let fields = &rules.acroform.fields;
    fields.get(name).or_else(|| {
        let last = name.rsplit('.').next()?;
        let bare = match last.split_once('[') {
            Some((bare, _)) => bare,
            None => last,
        };
        fields.get(bare)
    })
}

fn apply(
    found: &mut Found,
    target: &AcroTarget,
    value: &FieldValue,
    rules: &FormRules,
    cleaner: &Cleaner,
) {
    let (section, slot) = (target.section, target.slot);
    match &target.what {
        AcroWhat::Field(field) => {
            let text = value.text().unwrap_or_default();
            let lines: Vec<&str> = text.split(['\r', '\n']).collect();
            let (cleaned, cut) = cleaner.value(*field, &lines);
            if cut {
                found.problems.push(Problem::FormValueTruncated);
            }
            found.set(section, slot, *field, cleaned);
        }
        AcroWhat::Option(option) => found.tick(section, slot, option.clone(), value.is_ticked()),
        AcroWhat::Choice => {
            if let Some(option) = value.text().and_then(|text| chosen(rules, section, text)) {
                found.tick(section, slot, option, true);
            }
        }
    }
}

/// The option of `section` a radio group's or list's value names: by its record code
/// (`hospital`) or its printed wording ("Hôpital (bénéficiaire final)").
fn chosen(rules: &FormRules, section: SectionKind, value: &str) -> Option<OptionRef> {
    let value = fold(value);
    if value.is_empty() {
        return None;
    }
    rules
        .options_of(section)
        .into_iter()
        .find_map(|(option, labels)| {
            let coded = match &option {
                OptionRef::Category(code) | OptionRef::WorkingGroup(code) => *code == value,
                _ => false,
            };
            let worded = labels.iter().map(|label| fold(label)).any(|label| {
                !label.is_empty() && value.starts_with(&label) && boundary_at(&value, label.len())
            });
            (coded || worded).then_some(option)
        })
}

#[cfg(test)]
#[path = "acroform_tests.rs"]
mod tests;
