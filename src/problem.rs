//! Problem codes: the stable, dotted vocabulary for what is wrong with a message.
//!
//! A problem is an outcome of reading bad input, never an `Err`: it is stored with the
//! message (the log carries the codes as a JSON array) and later turned into a French
//! sentence for the reply. Codes are contracts other work relies on: spell them once, here.

use std::fmt;

use serde::{Serialize, Serializer};

/// One thing wrong with a message or its attachments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Problem {
    /// The message file was empty.
    MessageEmpty,
    /// The bytes are not an e-mail message at all (no header block).
    MessageNotEmail,
    /// The message is larger than the configured limit; it was stored but not read.
    MessageTooLarge,
    /// The decoded subject holds control characters (CR, LF…): never copied into a header.
    SubjectControlCharacters,
    /// An attachment is larger than the configured limit; it was not inspected.
    AttachmentTooLarge,
    /// A PDF attachment needs a password to be read.
    PdfEncrypted,
    /// A PDF attachment could not be parsed.
    PdfCorrupt,
    /// Reading the message crashed inside mailroom; the raw copy is kept for a retry.
    InternalPanic,
}

impl Problem {
    /// The stable dotted code, as stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::MessageEmpty => "message.empty",
            Problem::MessageNotEmail => "message.not_email",
            Problem::MessageTooLarge => "message.too_large",
            Problem::SubjectControlCharacters => "subject.control_characters",
            Problem::AttachmentTooLarge => "attachment.too_large",
            Problem::PdfEncrypted => "pdf.encrypted",
            Problem::PdfCorrupt => "pdf.corrupt",
            Problem::InternalPanic => "internal.panic",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Problem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The codes of a list of problems, as the JSON array stored in the log.
pub fn codes_json(problems: &[Problem]) -> String {
    let codes: Vec<&str> = problems.iter().map(|p| p.as_str()).collect();
    serde_json::to_string(&codes).unwrap_or_else(|_| "[]".to_owned())
}
