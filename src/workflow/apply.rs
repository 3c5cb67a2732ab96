//! Carries a [`Plan`] out in the caller's transaction: the members, their history, the
//! message's link to its member, and the replies queued in the outbox.

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::groups;
use super::matching::name_key;
use super::plan::{form_fingerprint, Change, Plan};
use super::register::domain_of;
use super::Outcome;
use crate::clock;
use crate::form::record::{FormRecord, Person, WorkingGroupChoice};
use crate::outbox;
use crate::rules::Rules;
use crate::store::groups as store_groups;
use crate::store::members::{self, MemberValues};
use crate::store::outbox as outbox_rows;
use crate::store::tasks;
use crate::store::Tx;

/// Most messages one address receives from us in a day: the last guard against a loop
/// with another robot that slipped past every other check.
const MAX_PER_RECIPIENT_PER_DAY: i64 = 20;

/// Who and what a plan is applied for.
#[derive(Debug, Clone, Copy)]
pub struct Applying<'a> {
    /// The message's log row.
    pub message_row_id: i64,
    /// Its sender's address.
    pub sender: Option<&'a str>,
    /// The outcome's author: `mailroom` or a coordinator.
    pub by: &'a str,
    /// The address replies come from.
    pub from: &'a str,
    /// Now.
    pub now: Timestamp,
}

/// Applies `plan`; returns the member it was about (a new member's new id).
///
/// # Errors
/// The store fails.
pub async fn apply(
    tx: &mut Tx,
    plan: &Plan,
    form: Option<&FormRecord>,
    applying: &Applying<'_>,
    rules: &Rules,
) -> anyhow::Result<Option<i64>> {
    let at = clock::to_storage(applying.now);
    let row = Some(applying.message_row_id);
    let outcome = plan.outcome.as_str();
    // Art. 6.2: a form, even duly completed, leaves the member pending; it becomes active
    // in the transaction that records its confirmation's delivery (`members::activate`).
    let status = "pending";
    // The GDPR notice of the form: replies go only to the sender and the people named in
    // the organisation's form (as it was before this message and as it is after).
    let mut correspondents = people_of_member(tx, plan.member).await?;
    let member_id = match &plan.change {
        Change::None => plan.member,
        Change::NewMember(form) => {
            let values = values_of(form, applying);
            let id = members::insert(tx, &values, status, &at)
                .await
                .context("Cannot record a new member")?;
            let detail = json!({ "outcome": outcome, "problems": form.problems });
            members::record_event(
                tx,
                id,
                &at,
                "form_received",
                row,
                applying.by,
                &detail.to_string(),
            )
            .await?;
            Some(id)
        }
        Change::Resubmission(id, form) => {
            let values = values_of(form, applying);
            members::update_from_form(tx, *id, &values, status, &at).await?;
            let detail = json!({ "outcome": outcome, "problems": form.problems });
            members::record_event(
                tx,
                *id,
                &at,
                "form_received",
                row,
                applying.by,
                &detail.to_string(),
            )
            .await?;
            Some(*id)
        }
        Change::ContactPoint { member, contact } => {
            let before = members::get(tx, *member)
                .await?
                .map(|m| m.contact_point)
                .unwrap_or_else(|| "null".to_owned());
            let after = serde_json::to_string(contact).context("Cannot encode a contact")?;
            members::set_contact_point(tx, *member, &after, &at).await?;
            let detail = format!(r#"{{"before":{before},"after":{after}}}"#);
            members::record_event(
                tx,
                *member,
                &at,
                "contact_updated",
                row,
                applying.by,
                &detail,
            )
            .await?;
            Some(*member)
        }
        Change::Resign(member) => {
            let date = applying.now.to_zoned(rules.zone.clone()).date().to_string();
            let groups = members::get(tx, *member)
                .await?
                .map(|m| m.working_groups)
                .unwrap_or_else(|| "[]".to_owned());
            members::resign(tx, *member, &date, &at).await?;
            let detail = format!(r#"{{"resigned_date":"{date}","groups_left":{groups}}}"#);
            members::record_event(tx, *member, &at, "resigned", row, applying.by, &detail).await?;
            withdraw_from_groups(tx, *member, None, "resignation", applying, rules).await?;
            store_groups::revoke_cdp(tx, *member, &at).await?;
            // Art. 6.3: off the official list, the website and the members' channels.
            for kind in ["remove_website", "revoke_cdp_access", "remove_from_groups"] {
                tasks::open(tx, *member, kind, &at, row).await?;
            }
            Some(*member)
        }
        Change::WithdrawGroups(member, codes) => {
            if let Some(current) = members::get(tx, *member).await? {
                let mut groups: Vec<serde_json::Value> =
                    serde_json::from_str(&current.working_groups).unwrap_or_default();
                let names: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
                groups.retain(|g| !names.iter().any(|code| g["code"] == *code));
                let json = serde_json::Value::from(groups).to_string();
                members::set_working_groups(tx, *member, &json, &at).await?;
                let detail = json!({ "groups_left": names });
                members::record_event(
                    tx,
                    *member,
                    &at,
                    "groups_withdrawn",
                    row,
                    applying.by,
                    &detail.to_string(),
                )
                .await?;
                withdraw_from_groups(
                    tx,
                    *member,
                    Some(names.as_slice()),
                    "partial_withdrawal",
                    applying,
                    rules,
                )
                .await?;
            }
            Some(*member)
        }
    };
    if let (Outcome::Registered, Some(member), Some(form)) = (plan.outcome, member_id, form) {
        record_requests(tx, member, form, applying, rules).await?;
    }
    let form_json = form.map(serde_json::to_string).transpose()?;
    members::link_message(tx, applying.message_row_id, member_id, form_json.as_deref()).await?;
    if plan.change != Change::None {
        // The member as the change left it (a new one, a new contact point).
        correspondents.extend(people_of_member(tx, member_id).await?);
    }
    correspondents.extend(applying.sender.map(str::to_owned));
    if let Some(form) = form {
        correspondents.extend(people_of_form(form));
    }
    for reply in &plan.replies {
        let mut reply = reply.clone();
        reply.member_id = reply.member_id.or(member_id);
        if !only_correspondents(&mut reply, &correspondents) {
            continue;
        }
        // The art. 6.2 confirmation is never held back by the loop guard: without it the
        // membership has no effective date.
        if reply.purpose == "acknowledgement"
            || within_rate_limit(tx, &mut reply, applying.now).await?
        {
            outbox::enqueue(tx, &reply, applying.from, row, rules, applying.now).await?;
        }
    }
    Ok(member_id)
}

/// A registration opens the member's requests for the groups its form asks for (final
/// beneficiaries only: an ecosystem actor takes part on invitation, art. 4ter.2) and its
/// Communauté de Pratiques access (annex 2). The one-month clock of art. 4bis.2 starts
/// at the form's 6.1 signature date.
async fn record_requests(
    tx: &mut Tx,
    member_id: i64,
    form: &FormRecord,
    applying: &Applying<'_>,
    rules: &Rules,
) -> anyhow::Result<()> {
    let at = clock::to_storage(applying.now);
    let signed_on = form.signatures.legal_representative.date.as_deref();
    store_groups::open_cdp(tx, member_id, &at, signed_on).await?;
    for kind in ["publish_website", "send_cdp_access"] {
        tasks::open(tx, member_id, kind, &at, Some(applying.message_row_id)).await?;
    }
    let category = form.organisation.category.map(|c| c.as_str());
    if !groups::counts_in_capacity(category) {
        return Ok(());
    }
    for choice in &form.working_groups {
        let Some(group) = rules.groups.get(choice.code) else {
            continue;
        };
        if !groups::eligible(group, form.organisation.category) {
            continue;
        }
        let late = groups::is_late(group, applying.now);
        let delegate = json_text(&choice.delegate);
        let recorded = store_groups::insert_request(
            tx,
            &store_groups::NewRequest {
                member_id,
                code: choice.code.as_str(),
                delegate: &delegate,
                requested_at: &at,
                late,
                clock_start: signed_on,
                rules_version: &rules.version,
            },
        )
        .await?;
        if recorded {
            let detail = json!({
                "code": choice.code.as_str(),
                "state": "requested",
                "late": late,
                "rules_version": rules.version,
            });
            members::record_event(
                tx,
                member_id,
                &at,
                "group_requested",
                Some(applying.message_row_id),
                applying.by,
                &detail.to_string(),
            )
            .await?;
        }
    }
    Ok(())
}

/// The member's own withdrawal from `codes` (every group when `None`): applies at once,
/// one history line per group left.
async fn withdraw_from_groups(
    tx: &mut Tx,
    member_id: i64,
    codes: Option<&[&str]>,
    why: &str,
    applying: &Applying<'_>,
    rules: &Rules,
) -> anyhow::Result<()> {
    let at = clock::to_storage(applying.now);
    let left = store_groups::withdraw_now(tx, member_id, codes, &at, why, &rules.version).await?;
    for (code, before) in left {
        let detail = json!({
            "code": code,
            "before": before,
            "state": "withdrawn",
            "why": why,
            "rules_version": rules.version,
        });
        members::record_event(
            tx,
            member_id,
            &at,
            "group_withdrawn",
            Some(applying.message_row_id),
            applying.by,
            &detail.to_string(),
        )
        .await?;
    }
    Ok(())
}

/// The addresses of the people a member's record names: legal representative, contact
/// point, delegates.
async fn people_of_member(tx: &mut Tx, member: Option<i64>) -> anyhow::Result<Vec<String>> {
    let Some(row) = (match member {
        Some(id) => members::get(tx, id).await?,
        None => None,
    }) else {
        return Ok(Vec::new());
    };
    let mut people: Vec<Person> = Vec::new();
    for json in [&row.legal_representative, &row.contact_point] {
        if let Ok(Some(person)) = serde_json::from_str::<Option<Person>>(json) {
            people.push(person);
        }
    }
    let groups: Vec<WorkingGroupChoice> =
        serde_json::from_str(&row.working_groups).unwrap_or_default();
    people.extend(groups.into_iter().map(|choice| choice.delegate));
    Ok(people
        .into_iter()
        .filter_map(|person| person.email)
        .collect())
}

/// The addresses of the people a form names.
fn people_of_form(form: &FormRecord) -> Vec<String> {
    std::iter::once(&form.legal_representative)
        .chain(&form.contact_point)
        .chain(form.working_groups.iter().map(|choice| &choice.delegate))
        .filter_map(|person| person.email.clone())
        .collect()
}

/// Drops, and logs, any recipient who is neither the sender nor a person the
/// organisation's form names; whether anyone is left to write to.
fn only_correspondents(reply: &mut crate::workflow::Reply, allowed: &[String]) -> bool {
    for list in [&mut reply.to, &mut reply.cc] {
        list.retain(|address| {
            let known = allowed.iter().any(|a| a.trim().eq_ignore_ascii_case(address.trim()));
            if !known {
                tracing::warn!(
                    %address,
                    purpose = %reply.purpose,
                    "Recipient refused: neither the sender nor a person named in the organisation's form."
                );
            }
            known
        });
    }
    promote_copy(reply);
    !reply.to.is_empty()
}

/// Drops recipients who already got [`MAX_PER_RECIPIENT_PER_DAY`] messages today;
/// whether anyone is left to write to.
async fn within_rate_limit(
    tx: &mut Tx,
    reply: &mut crate::workflow::Reply,
    now: Timestamp,
) -> anyhow::Result<bool> {
    let since = clock::to_storage(now - SignedDuration::from_hours(24));
    for list in [&mut reply.to, &mut reply.cc] {
        let mut kept = Vec::with_capacity(list.len());
        for address in list.drain(..) {
            if outbox_rows::count_to_since(tx, &address, &since).await? < MAX_PER_RECIPIENT_PER_DAY
            {
                kept.push(address);
            } else {
                tracing::warn!(%address, purpose = %reply.purpose, "Rate limit reached: not written to.");
            }
        }
        *list = kept;
    }
    promote_copy(reply);
    Ok(!reply.to.is_empty())
}

/// With nobody left in To, the first copy becomes the recipient.
fn promote_copy(reply: &mut crate::workflow::Reply) {
    if reply.to.is_empty() && !reply.cc.is_empty() {
        reply.to = vec![reply.cc.remove(0)];
    }
}

/// A member's columns from its form.
fn values_of(form: &FormRecord, applying: &Applying<'_>) -> MemberValues {
    let name = form.organisation.name.clone().unwrap_or_default();
    MemberValues {
        name_key: name_key(&name),
        name,
        category: form.organisation.category.map(|c| c.as_str().to_owned()),
        address: form.organisation.address.clone(),
        legal_representative: json_text(&form.legal_representative),
        contact_point: json_text(&form.contact_point),
        working_groups: json_text(&form.working_groups),
        form: Some(json_text(form)),
        form_sha256: Some(form_fingerprint(form)),
        form_message_row_id: Some(applying.message_row_id),
        sender_domain: applying.sender.and_then(domain_of),
    }
}

/// A value as JSON text (`null` if it cannot be written, which plain data never is).
fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Reply;

    #[test]
    fn a_reply_goes_only_to_the_sender_and_the_people_of_the_form() {
        let allowed = vec![
            "anne.dupuis@clinique.test".to_owned(),
            "Paul.Lambert@clinique.test".to_owned(),
        ];
        let mut reply = Reply {
            purpose: "acknowledgement".to_owned(),
            to: vec!["stranger@elsewhere.test".to_owned()],
            cc: vec![
                "paul.lambert@clinique.test".to_owned(),
                "other@elsewhere.test".to_owned(),
            ],
            ..Reply::default()
        };
        assert!(only_correspondents(&mut reply, &allowed));
        assert_eq!(reply.to, ["paul.lambert@clinique.test"]);
        assert!(reply.cc.is_empty());
        let mut nobody = Reply {
            to: vec!["stranger@elsewhere.test".to_owned()],
            ..Reply::default()
        };
        assert!(!only_correspondents(&mut nobody, &allowed));
    }
}
