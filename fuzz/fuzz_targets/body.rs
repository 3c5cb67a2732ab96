//! Message bodies: the contact-change reader and the DMARC header reader on arbitrary text,
//! in bounded time, never panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = mailroom::workflow::contact_details::read_new_contact(&text, Some("a@b.example"));
    let _ = mailroom::intake::auth::dmarc(&text);
    let _ = mailroom::workflow::matching::compare(&text, "Centre Hospitalier Régional de la Haute-Meuse");
});
