//! Absences and participation difficulties (art. 4bis.2, annex 1 §4).
//!
//! An absence must reach the group's thematic pilot at least 24 hours before the session;
//! a difficulty goes to the ASeT-W référent. Members write to the generic mailbox, so a
//! message whose subject names a group and says "absence", "excusé", "difficulté"…
//! (`requests.toml`, `[participation]`) is forwarded at once to both, with our receipt
//! time as proof that notice was given. The message stays `unclassified` and is never
//! answered automatically.

use jiff::Timestamp;
use serde_json::json;

use super::Reply;
use crate::clock::{self, Clock};
use crate::form::record::WorkingGroupCode;
use crate::intake::Envelope;
use crate::roles::{Role, Roles};
use crate::rules::Rules;

/// The group a message gives notice about, if it is a participation notice.
pub fn group_of(envelope: &Envelope, rules: &Rules) -> Option<WorkingGroupCode> {
    let subject = envelope.subject.as_deref()?;
    rules.requests.participation.group_of(
        subject,
        envelope.body_text.as_deref().unwrap_or_default(),
        &rules.groups,
    )
}

/// The forward of a participation notice about `code` received at `received`, to the
/// group's pilot and référent; `None` when neither has an address.
pub fn forward(
    envelope: &Envelope,
    code: WorkingGroupCode,
    organisation: Option<&str>,
    received: Timestamp,
    rules: &Rules,
    roles: &Roles,
    clock: &Clock,
) -> Option<Reply> {
    let mut to: Vec<String> = Vec::new();
    let mut held: Vec<&str> = Vec::new();
    for (role, name) in [
        (Role::Pilot(code), "pilote thématique"),
        (Role::Referent(code), "référent ASeT-W"),
    ] {
        let addresses = roles.addresses(role);
        if !addresses.is_empty() {
            held.push(name);
        }
        for address in addresses {
            if !to.iter().any(|known| known.eq_ignore_ascii_case(address)) {
                to.push(address.clone());
            }
        }
    }
    if to.is_empty() {
        return None;
    }
    let local = clock.local(received);
    Some(Reply {
        purpose: "participation_forward".to_owned(),
        to,
        context: Some(json!({
            "group": rules.groups.label(code),
            "code": code.as_str(),
            "roles": held.join(" et de "),
            "sender": envelope.from_addr,
            "original_subject": envelope.subject,
            "organisation": organisation,
            "received_at": clock::to_storage(received),
            "received_label": format!(
                "{} à {}",
                clock::french_date(local.date()),
                local.strftime("%H:%M:%S")
            ),
        })),
        forward_original: true,
        ..Reply::default()
    })
}
