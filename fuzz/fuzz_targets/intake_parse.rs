//! MIME: any bytes through intake, classification and attachment inspection must give an
//! envelope (maybe with problems), never a panic or a hang.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mailroom::classify::{self, subject::SubjectMatcher};
use mailroom::config::Limits;
use mailroom::rules::Rules;

fn matcher() -> &'static SubjectMatcher {
    static MATCHER: OnceLock<SubjectMatcher> = OnceLock::new();
    MATCHER.get_or_init(|| {
        let rules = Rules::embedded().expect("embedded rules");
        SubjectMatcher::new(&rules.subjects).expect("subject rules")
    })
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let envelope = mailroom::intake::parse(data, &limits);
    let _ = classify::classify(&envelope, matcher());
    for attachment in &envelope.attachments {
        let _ = mailroom::form::inspect(attachment, &limits);
    }
});
