//! Intake: turn raw bytes into an [`Envelope`] the later stages can read, within bounds.
//!
//! Owns MIME parsing (mail-parser) and the limits on it; knows nothing of forms or the
//! convention. Storing the raw bytes *before* this runs is the pipeline's job
//! (`pipeline::process_batch`, stage 1), so a message that breaks the parser is still kept.
//! Input: raw bytes. Output: an [`Envelope`] whose `problems` say what could not be read.

pub mod auth;
mod eight_bit;
mod parse;
mod tnef;

pub use parse::{parse, Attachment, AutomationHeaders, Envelope};
