//! PDF: any bytes behind a PDF header go through attachment inspection and the whole form
//! reader (lopdf load, AcroForm walk, layout text, labels) within bounds, never panicking.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mailroom::config::Limits;
use mailroom::intake::Attachment;
use mailroom::rules::Rules;

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules::embedded().expect("embedded rules"))
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend_from_slice(data);
    let limits = Limits::default();
    let record = mailroom::form::read(&bytes, &rules().form, &limits);
    let _ = mailroom::validate::check(&record, &rules().validation);
    let attachment = Attachment {
        position: 0,
        filename: Some("form.pdf".to_owned()),
        declared_type: "application/pdf".to_owned(),
        size_bytes: bytes.len(),
        bytes,
        too_large: false,
        forwarded: false,
    };
    let _ = mailroom::form::inspect(&attachment, &limits);
});
