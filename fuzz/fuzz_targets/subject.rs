//! Subjects: any text through the subject matcher and the organisation key.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mailroom::classify::subject::{self, SubjectMatcher};
use mailroom::rules::Rules;

fn matcher() -> &'static SubjectMatcher {
    static MATCHER: OnceLock<SubjectMatcher> = OnceLock::new();
    MATCHER.get_or_init(|| {
        let rules = Rules::embedded().expect("embedded rules");
        SubjectMatcher::new(&rules.subjects).expect("subject rules")
    })
}

fuzz_target!(|text: &str| {
    let class = matcher().classify(text);
    if let Some(organisation) = class.organisation {
        let _ = subject::organisation_key(&organisation);
    }
    let _ = subject::has_control_characters(text);
});
