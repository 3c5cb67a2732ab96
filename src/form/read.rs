//! Which reader a file goes to, and which attachment is the form.
//!
//! A PDF is opened within bounds (`pdf.corrupt`, `pdf.encrypted` otherwise); a filled
//! fillable PDF is read from its fields, anything else from its text layer, laid out by
//! [`pdf_text`](super::pdf_text) and read by its labels. A PDF with no text to speak of is
//! a scan, read by OCR ([`ocr`](super::ocr)). Among several attachments the form is the
//! one whose content is the form, whatever its position, name or label.

use lopdf::{Document, LoadOptions};

use super::pdf_text::{self, TextLimits};
use super::record::{FormRecord, SignedWith, Source, SourceKind};
use super::sniff::{detect, FileType};
use super::{acroform, docx, labels, ocr, signature};
use crate::config::Limits;
use crate::intake::Attachment;
use crate::problem::Problem;
use crate::rules::form::FormRules;

/// Fewer visible characters than this on all pages: the PDF is an image (a scan).
const MIN_TEXT_CHARS: usize = 200;

/// Reads the form out of one file's bytes (PDF or Word).
pub fn read(bytes: &[u8], rules: &FormRules, limits: &Limits) -> FormRecord {
    match detect(bytes) {
        FileType::Pdf => read_pdf(bytes, rules, limits),
        FileType::Docx => read_docx(bytes, rules, limits),
        _ => unreadable(SourceKind::TextPdf, Problem::AttachmentMissingForm),
    }
}

/// The filled Word form: its content read by the labels, like a PDF's text; it carries
/// no signature, so it always says `attachment.not_pdf` (a coordinator decides). An
/// unreadable Word file is reported as not being the form.
fn read_docx(bytes: &[u8], rules: &FormRules, limits: &Limits) -> FormRecord {
    let lines = match docx::lines(bytes, limits.max_pdf_decompressed_bytes) {
        Ok(lines) => lines,
        Err(error) => {
            tracing::debug!(%error, "Unreadable Word document.");
            return unreadable(SourceKind::Docx, Problem::AttachmentMissingForm);
        }
    };
    let mut record = labels::read_text(&[lines], rules);
    record.source = Source::new(SourceKind::Docx);
    if record
        .problems
        .iter()
        .any(|code| code == Problem::FormNotRecognised.as_str())
    {
        // A Word document that is not the form (a cover letter) is like an unrelated PDF:
        // the form is missing, nothing is unreadable.
        return unreadable(SourceKind::Docx, Problem::AttachmentMissingForm);
    }
    record.add_problem(Problem::AttachmentNotPdf);
    record
}

/// Finds the form among a message's attachments and reads it: the first PDF that reads as
/// the form; else a PDF that could not be opened (it may be the form); else a Word form;
/// else `attachment.missing_form`.
pub fn read_attachments(
    attachments: &[Attachment],
    rules: &FormRules,
    limits: &Limits,
) -> FormRecord {
    let mut unopened = None;
    let mut word = None;
    for attachment in attachments.iter().filter(|a| !a.too_large) {
        let record = read(&attachment.bytes, rules, limits);
        let has = |problem: Problem| record.problems.iter().any(|code| code == problem.as_str());
        if has(Problem::AttachmentNotPdf) {
            // A signed PDF beside the Word file wins: keep looking.
            word.get_or_insert(record);
        } else if is_form(&record) {
            return record;
        } else if has(Problem::PdfEncrypted)
            || has(Problem::PdfCorrupt)
            || has(Problem::PdfNoTextLayer)
        {
            unopened.get_or_insert(record);
        }
    }
    // A Word form that reads beats a PDF that does not open; otherwise that PDF (it may be
    // the form) beats an unreadable Word file.
    let (word_form, word_other) = match word {
        Some(record) if is_form(&record) => (Some(record), None),
        other => (None, other),
    };
    word_form
        .or(unopened)
        .or(word_other)
        .unwrap_or_else(|| unreadable(SourceKind::TextPdf, Problem::AttachmentMissingForm))
}

/// Whether `record` was read from the form itself (a Word form included: its content is
/// read, and its `attachment.not_pdf` holds it for review).
pub fn is_form(record: &FormRecord) -> bool {
    let not = [
        Problem::FormNotRecognised,
        Problem::AttachmentMissingForm,
        Problem::PdfCorrupt,
        Problem::PdfEncrypted,
        Problem::PdfNoTextLayer,
    ];
    !record
        .problems
        .iter()
        .any(|code| not.iter().any(|problem| problem.as_str() == code))
}

fn read_pdf(bytes: &[u8], rules: &FormRules, limits: &Limits) -> FormRecord {
    let options = LoadOptions {
        max_decompressed_size: Some(limits.max_pdf_decompressed_bytes),
        ..LoadOptions::default()
    };
    let Ok(document) = Document::load_mem_with_options(bytes, options) else {
        return unreadable(SourceKind::TextPdf, Problem::PdfCorrupt);
    };
    if document.is_encrypted() {
        return unreadable(SourceKind::TextPdf, Problem::PdfEncrypted);
    }
    let mut record = read_document(&document, bytes, rules, limits);
    if is_form(&record) {
        with_digital_signatures(
            &mut record,
            &signature::digital_signatures(&document, bytes),
        );
    }
    record
}

/// The form in a loaded, decrypted PDF: its fields when it is a filled fillable PDF,
/// else its text layer; a scan, read by OCR, when there is no text to speak of.
fn read_document(
    document: &Document,
    bytes: &[u8],
    rules: &FormRules,
    limits: &Limits,
) -> FormRecord {
    if let Some(record) = acroform::read_acroform(document, rules).filter(has_filled_fields) {
        return with_not_recognised_as_missing(record);
    }
    let pages = match pdf_text::extract(document, &TextLimits::default()) {
        Ok(pages) => pages,
        Err(error) => {
            tracing::info!(%error, "PDF text could not be extracted.");
            return unreadable(SourceKind::TextPdf, Problem::PdfCorrupt);
        }
    };
    let visible: usize = pages
        .iter()
        .flat_map(|page| &page.lines)
        .map(|line| line.chars().filter(|c| !c.is_whitespace()).count())
        .sum();
    if visible < MIN_TEXT_CHARS {
        let sizes = pdf_text::page_sizes(document);
        return with_not_recognised_as_missing(ocr::read_scan(bytes, &sizes, rules, &limits.ocr));
    }
    let lines: Vec<Vec<String>> = pages.into_iter().map(|page| page.lines).collect();
    with_not_recognised_as_missing(labels::read_text(&lines, rules))
}

/// Digital signatures sign the form (6.1): recorded in `source.digital_signatures` with
/// signer, time and whether the signed bytes still match; a document changed since it
/// was signed is `signature.digital_not_intact`, for a coordinator.
fn with_digital_signatures(record: &mut FormRecord, signatures: &[signature::DigitalSignature]) {
    if signatures.is_empty() {
        return;
    }
    let signed = &mut record.signatures.legal_representative;
    signed.signed = true;
    signed.signed_with = Some(SignedWith::Digital);
    if signatures.iter().any(|s| !s.intact || !s.covers_document) {
        record.add_problem(Problem::SignatureDigitalNotIntact);
    }
    if let Ok(value) = serde_json::to_value(signatures) {
        record
            .source
            .details
            .insert("digital_signatures".to_owned(), value);
    }
}

fn has_filled_fields(record: &FormRecord) -> bool {
    record
        .source
        .details
        .get("fields_filled")
        .and_then(serde_json::Value::as_u64)
        .is_some_and(|filled| filled > 0)
}

/// A document that is not the form is, for the message, a missing form.
fn with_not_recognised_as_missing(record: FormRecord) -> FormRecord {
    if record
        .problems
        .iter()
        .any(|code| code == Problem::FormNotRecognised.as_str())
    {
        let mut empty = FormRecord::empty(record.source.kind);
        empty.source = record.source;
        empty.add_problem(Problem::FormNotRecognised);
        empty.add_problem(Problem::AttachmentMissingForm);
        return empty;
    }
    record
}

fn unreadable(kind: SourceKind, problem: Problem) -> FormRecord {
    let mut record = FormRecord::empty(kind);
    record.add_problem(problem);
    record
}
