//! Word: any bytes behind a zip header go through the Word reader (zip, XML, labels) within
//! bounds, never panicking; the sample form's own bytes seed the corpus well.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mailroom::config::Limits;
use mailroom::rules::Rules;

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules::embedded().expect("embedded rules"))
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(data);
    let record = mailroom::form::read(&bytes, &rules().form, &Limits::default());
    let _ = mailroom::validate::check(&record, &rules().validation);
});
