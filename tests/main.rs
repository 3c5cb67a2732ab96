//! The one integration binary: each module is an area, each test a sentence.

mod support;

mod audit;
mod cli;
mod contact_prose;
mod corpus;
mod daemon;
mod digest;
mod eight_bit;
mod forms;
mod groups;
mod imap;
mod live;
mod names;
mod no_form;
mod outbox;
mod resignation_scope;
mod rules;
mod scans;
mod signatures;
mod smtp;
mod workflows;
