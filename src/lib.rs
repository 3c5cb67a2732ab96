//! mailroom runs the generic mailbox of a public alliance by itself.
//!
//! The pipeline, in one sentence: *store the raw message first, classify, extract,
//! validate, update the store and queue outgoing mail in one transaction, then deliver
//! from the outbox.* The modules follow that flow:
//!
//! `mailbox` yields raw bytes → `intake` parses them (bounded) → `classify` names the
//! kind → `form` inspects the attachments → `workflow` decides → `pipeline` commits the
//! log row, store changes, queued replies and the planned mailbox move in one transaction
//! → `outbox` delivers, `mailbox` settles the original.
//!
//! `store` (all SQL), `rules` (the alliance's data), `config`, `clock` and `problem` are
//! the foundation every stage may use; `cli` and `daemon` are the only entry points.
//! See ARCHITECTURE.md.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod classify;
pub mod cli;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod digest;
pub mod form;
pub mod intake;
pub mod mailbox;
pub mod outbox;
pub mod pipeline;
pub mod problem;
pub mod roles;
pub mod rules;
pub mod signatories;
pub mod store;
pub mod timestamp;
pub mod validate;
pub mod workflow;
