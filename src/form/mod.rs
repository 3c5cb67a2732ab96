//! Form: what the attachments are, by their bytes, and (with [forms]) what the form says.
//!
//! Knows file formats, not the convention. So far it types each attachment by its magic
//! bytes (a PDF labelled `application/octet-stream` is still a PDF) and opens PDFs within
//! bounds to count pages and detect encryption or corruption. Pure and synchronous: the
//! pipeline runs it on the blocking pool, one message per task, to use every core.
//! Input: an `intake::Attachment`. Output: an [`Inspection`].

pub mod acroform;
mod assemble;
mod docx;
mod fold;
pub mod labels;
mod ocr;
mod pdf;
pub mod pdf_text;
mod read;
pub mod record;
pub mod signature;
mod sniff;
mod values;

pub use fold::fold;
pub use read::{is_form, read, read_attachments};
pub use sniff::{detect, FileType};
pub use values::GroupNames;

use crate::config::Limits;
use crate::intake::Attachment;
use crate::problem::Problem;

/// What one attachment turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// The type its bytes show.
    pub detected: FileType,
    /// Page count, for a PDF that opened.
    pub pdf_pages: Option<u32>,
    /// Why it could not be read, if it could not.
    pub problem: Option<Problem>,
}

/// Inspects `attachment` within `limits`.
pub fn inspect(attachment: &Attachment, limits: &Limits) -> Inspection {
    if attachment.too_large {
        return Inspection {
            detected: FileType::Unknown,
            pdf_pages: None,
            problem: Some(Problem::AttachmentTooLarge),
        };
    }
    let detected = detect(&attachment.bytes);
    let (pdf_pages, problem) = match detected {
        FileType::Pdf => match pdf::page_count(&attachment.bytes, limits) {
            Ok(pages) => (Some(pages), None),
            Err(problem) => (None, Some(problem)),
        },
        _ => (None, None),
    };
    Inspection {
        detected,
        pdf_pages,
        problem,
    }
}
