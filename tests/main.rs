//! The one integration binary: each module is an area, each test a sentence.

mod support;

mod audit;
mod cli;
mod corpus;
mod daemon;
mod digest;
mod forms;
mod groups;
mod imap;
mod live;
mod outbox;
mod rules;
mod scans;
mod signatures;
mod smtp;
mod workflows;
