//! The coordinators' digest: what happened since the previous one and what waits for
//! someone, in French, as text and as HTML that Outlook renders (tables, inline styles,
//! nothing external). Each working group's Locomotive gets the part about its group only.
//!
//! [`gather`] reads the store into a [`Digest`] (plain data, serialisable: it is the
//! template's context, kept in the outbox row and rendered when the mail leaves);
//! `rules/*/templates/digest.txt` and `digest.html` say it.

use anyhow::Context;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;

use crate::clock::{self, french_date, Clock};
use crate::form::record::{Person, WorkingGroupCode};
use crate::problem::{Problem, Severity};
use crate::roles::{Role, Roles};
use crate::rules::Rules;
use crate::store::groups as group_rows;
use crate::store::{digest as rows, messages, tasks, Store};
use crate::workflow::groups::{self, Seat};

/// Who a digest is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The coordination: everything.
    Coordinators,
    /// A group's Locomotive: that group only.
    Group(WorkingGroupCode),
}

impl Audience {
    /// `coordinators` or `gt.<code>` (the `digests` table, the roles).
    pub fn key(self) -> String {
        match self {
            Audience::Coordinators => "coordinators".to_owned(),
            Audience::Group(code) => format!("gt.{}", code.as_str()),
        }
    }

    /// Who receives it.
    pub fn recipients(self, roles: &Roles) -> Vec<String> {
        let mut to: Vec<String> = Vec::new();
        let wanted = match self {
            Audience::Coordinators => vec![Role::Coordinators],
            Audience::Group(code) => vec![
                Role::Referent(code),
                Role::Pilot(code),
                Role::Facilitator(code),
            ],
        };
        for role in wanted {
            for address in roles.addresses(role) {
                if !to.iter().any(|a| a.eq_ignore_ascii_case(address)) {
                    to.push(address.clone());
                }
            }
        }
        to
    }

    /// Every audience: the coordination, then each group.
    pub fn all() -> Vec<Audience> {
        std::iter::once(Audience::Coordinators)
            .chain(WorkingGroupCode::ALL.into_iter().map(Audience::Group))
            .collect()
    }
}

/// The digest, as its templates read it.
#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    /// `coordinators` or `gt.<code>`.
    pub audience: String,
    /// The group's label, for a Locomotive's digest.
    pub group: Option<String>,
    /// Start of the period (RFC 3339 UTC).
    pub since: String,
    /// End of the period.
    pub until: String,
    /// `14 avril 2026 à 08:30`.
    pub since_label: String,
    /// Likewise.
    pub until_label: String,
    /// Confirmations sent in the period.
    pub new_members: Vec<NewMember>,
    /// Forms not duly completed yet.
    pub pending: Vec<PendingForm>,
    /// Messages waiting for a coordinator.
    pub held: Vec<Held>,
    /// Art. 4.2 in the period.
    pub contact_changes: Vec<ContactChange>,
    /// Art. 6.3 in the period.
    pub resignations: Vec<Resignation>,
    /// Mail that failed or came back.
    pub undelivered: Vec<Undelivered>,
    /// Working-group decisions due within the week, or overdue (art. 4bis.2).
    pub decisions_due: Vec<DecisionDue>,
    /// Communauté de Pratiques access due or overdue.
    pub cdp_due: Vec<CdpDue>,
    /// Each group's fill level.
    pub fills: Vec<FillLevel>,
    /// Open publication tasks.
    pub tasks: Vec<Task>,
    /// The auditors' journal's head when the digest was gathered: copied into the mail
    /// so that `log verify --anchor SEQ:HASH` can check, later, that the store still
    /// holds it (a witness outside the database, in the coordinators' mailboxes).
    pub journal_head: Option<crate::store::journal::Head>,
    /// Nothing to say.
    pub empty: bool,
}

/// A new member.
#[derive(Debug, Clone, Serialize)]
pub struct NewMember {
    /// Official name.
    pub organisation: String,
    /// French category.
    pub category: String,
    /// `14 avril 2026`.
    pub effective_date: String,
    /// Who received the confirmation.
    pub acknowledged_to: Vec<String>,
    /// Groups asked for (labels).
    pub groups: Vec<String>,
}

/// A pending form.
#[derive(Debug, Clone, Serialize)]
pub struct PendingForm {
    /// Name as written.
    pub organisation: String,
    /// `14 avril 2026`.
    pub since: String,
    /// One French sentence per problem.
    pub missing: Vec<String>,
}

/// A held message.
#[derive(Debug, Clone, Serialize)]
pub struct Held {
    /// Log number (for `review show`).
    pub id: i64,
    /// `14 avril 2026 à 09:30`.
    pub received: String,
    /// Sender.
    pub from: String,
    /// Subject.
    pub subject: String,
    /// The last reason given.
    pub reason: String,
}

/// A contact change.
#[derive(Debug, Clone, Serialize)]
pub struct ContactChange {
    /// Organisation.
    pub organisation: String,
    /// `14 avril 2026`.
    pub date: String,
    /// Former contact (name and address).
    pub before: String,
    /// New contact.
    pub after: String,
}

/// A resignation.
#[derive(Debug, Clone, Serialize)]
pub struct Resignation {
    /// Organisation.
    pub organisation: String,
    /// `14 avril 2026`.
    pub date: String,
    /// Groups it leaves (labels).
    pub groups: Vec<String>,
}

/// Mail that did not arrive.
#[derive(Debug, Clone, Serialize)]
pub struct Undelivered {
    /// Outbox number.
    pub id: i64,
    /// What it was (`acknowledgement`…).
    pub purpose: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Organisation.
    pub organisation: Option<String>,
    /// Returned by a delivery report (else refused by the relay).
    pub bounced: bool,
    /// The relay's words.
    pub error: Option<String>,
}

/// A decision due.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionDue {
    /// Organisation.
    pub organisation: String,
    /// Group label.
    pub group: String,
    /// `14 avril 2026`.
    pub due_date: String,
    /// Past due.
    pub overdue: bool,
    /// Asked after the first session.
    pub late: bool,
}

/// CdP access due.
#[derive(Debug, Clone, Serialize)]
pub struct CdpDue {
    /// Organisation.
    pub organisation: String,
    /// `14 avril 2026`.
    pub due_date: String,
    /// Past due.
    pub overdue: bool,
}

/// A group's fill level, with its bar.
#[derive(Debug, Clone, Serialize)]
pub struct FillLevel {
    /// Label.
    pub group: String,
    /// Seats held.
    pub assigned: u32,
    /// Of which hospitals.
    pub hospitals: u32,
    /// Of which homes for the elderly.
    pub elderly_care: u32,
    /// Requests to decide.
    pub requested: u32,
    /// Waiting list.
    pub waitlisted: u32,
    /// Annex 1 bounds.
    pub min: u32,
    /// Likewise.
    pub max: u32,
    /// Bar length, 0–100 (of the maximum).
    pub percent: u32,
    /// `below`, `over` or `ok`.
    pub status: &'static str,
}

/// An open task.
#[derive(Debug, Clone, Serialize)]
pub struct Task {
    /// Task number (for `tasks done`).
    pub id: i64,
    /// Organisation.
    pub organisation: String,
    /// French label.
    pub label: String,
    /// `14 avril 2026`.
    pub opened: String,
}

/// Reads the store into the digest of `audience` for `[since, until)`.
///
/// # Errors
/// The store fails.
pub async fn gather(
    store: &Store,
    rules: &Rules,
    clock: &Clock,
    audience: Audience,
    since: Timestamp,
    until: Timestamp,
) -> anyhow::Result<Digest> {
    let mut conn = store.pool().acquire().await?;
    let (from, to) = (clock::to_storage(since), clock::to_storage(until));
    let today = clock.local_date(until);
    let group = match audience {
        Audience::Coordinators => None,
        Audience::Group(code) => Some(code),
    };
    let for_group =
        |codes: &[String]| group.is_none_or(|code| codes.iter().any(|c| c == code.as_str()));
    let day = |at: &str| {
        clock::from_storage(at).map_or_else(|| at.to_owned(), |t| french_date(clock.local_date(t)))
    };
    let civil = |date: &str| {
        date.parse::<Date>()
            .map_or_else(|_| date.to_owned(), french_date)
    };

    let new_members = rows::new_members(&mut conn, &from, &to)
        .await?
        .into_iter()
        .filter_map(|m| {
            let codes = group_codes(&m.working_groups);
            for_group(&codes).then(|| NewMember {
                organisation: m.organisation,
                category: m
                    .category
                    .as_deref()
                    .map_or_else(String::new, |c| rules.publication.category(c)),
                effective_date: m.effective_date.as_deref().map_or_else(String::new, civil),
                acknowledged_to: addresses(&m.to_addrs)
                    .into_iter()
                    .chain(addresses(&m.cc_addrs))
                    .collect(),
                groups: labels(rules, &codes),
            })
        })
        .collect();

    let resignations = rows::events(&mut conn, "resigned", &from, &to)
        .await?
        .into_iter()
        .filter_map(|event| {
            let detail: serde_json::Value = serde_json::from_str(&event.detail).unwrap_or_default();
            let codes = group_codes(&detail["groups_left"].to_string());
            for_group(&codes).then(|| Resignation {
                organisation: event.organisation,
                date: detail["resigned_date"]
                    .as_str()
                    .map_or_else(|| day(&event.at), civil),
                groups: labels(rules, &codes),
            })
        })
        .collect();

    let requests = group_rows::list(&mut conn, group.map(WorkingGroupCode::as_str)).await?;
    let horizon = groups::due_horizon(today, rules.groups.decisions.due_soon_days);
    let mut decisions_due = Vec::new();
    for request in requests.iter().filter(|r| r.state == "requested") {
        let Some(due) = groups::due_on(
            request.clock_start.as_deref(),
            request.effective_date.as_deref(),
        ) else {
            continue;
        };
        if due <= horizon {
            decisions_due.push(DecisionDue {
                organisation: request.organisation.clone(),
                group: WorkingGroupCode::from_code(&request.code)
                    .map_or_else(|| request.code.clone(), |c| rules.groups.label(c)),
                due_date: french_date(due),
                overdue: due < today,
                late: request.late,
            });
        }
    }
    let seats: Vec<Seat<'_>> = requests
        .iter()
        .map(crate::pipeline::groups::seat_of)
        .collect();
    let fills = groups::fill(&rules.groups, &seats, today)
        .into_iter()
        .filter(|fill| group.is_none_or(|code| code == fill.code))
        .map(|fill| FillLevel {
            percent: (fill.assigned * 100)
                .checked_div(fill.max)
                .unwrap_or(0)
                .min(100),
            status: if fill.over_capacity() {
                "over"
            } else if fill.below_minimum() {
                "below"
            } else {
                "ok"
            },
            group: fill.label,
            assigned: fill.assigned,
            hospitals: fill.hospitals,
            elderly_care: fill.elderly_care,
            requested: fill.requested,
            waitlisted: fill.waitlisted,
            min: fill.min,
            max: fill.max,
        })
        .collect();

    let mut digest = Digest {
        audience: audience.key(),
        group: group.map(|code| rules.groups.label(code)),
        since: from.clone(),
        until: to.clone(),
        since_label: moment(clock, since),
        until_label: moment(clock, until),
        new_members,
        pending: Vec::new(),
        held: Vec::new(),
        contact_changes: Vec::new(),
        resignations,
        undelivered: Vec::new(),
        decisions_due,
        cdp_due: Vec::new(),
        fills,
        tasks: Vec::new(),
        journal_head: crate::store::journal::head(&mut conn).await?,
        empty: false,
    };
    if audience == Audience::Coordinators {
        digest.pending = rows::pending_forms(&mut conn)
            .await?
            .into_iter()
            .map(|p| PendingForm {
                organisation: p.organisation,
                since: day(&p.since),
                missing: problem_sentences(rules, &p.problems),
            })
            .collect();
        drop(conn);
        digest.held = messages::awaiting_review(store.pool())
            .await?
            .into_iter()
            .map(|row| {
                let reasons: Vec<String> = serde_json::from_str(&row.reasons).unwrap_or_default();
                let problems = problem_sentences(rules, &row.problems);
                Held {
                    id: row.id,
                    received: moment_text(clock, &row.received_at),
                    from: row.from_addr.unwrap_or_default(),
                    subject: row.subject.unwrap_or_default(),
                    reason: problems
                        .first()
                        .or(reasons.last())
                        .cloned()
                        .unwrap_or_default(),
                }
            })
            .collect();
        let mut conn = store.pool().acquire().await?;
        digest.contact_changes = rows::events(&mut conn, "contact_updated", &from, &to)
            .await?
            .into_iter()
            .map(|event| {
                let detail: serde_json::Value =
                    serde_json::from_str(&event.detail).unwrap_or_default();
                ContactChange {
                    organisation: event.organisation,
                    date: day(&event.at),
                    before: person_line(&detail["before"]),
                    after: person_line(&detail["after"]),
                }
            })
            .collect();
        digest.undelivered = rows::undelivered(&mut conn)
            .await?
            .into_iter()
            .map(|row| Undelivered {
                id: row.id,
                purpose: row.purpose,
                to: addresses(&row.to_addrs),
                organisation: row.organisation,
                bounced: row.bounced_by.is_some(),
                error: row.last_error,
            })
            .collect();
        digest.cdp_due = group_rows::cdp_list(&mut conn)
            .await?
            .into_iter()
            .filter(|row| row.sent_at.is_none() && row.revoked_at.is_none())
            .filter_map(|row| {
                let due =
                    groups::due_on(row.clock_start.as_deref(), row.effective_date.as_deref())?;
                (due <= horizon).then(|| CdpDue {
                    organisation: row.organisation,
                    due_date: french_date(due),
                    overdue: due < today,
                })
            })
            .collect();
        digest.tasks = tasks::list(&mut conn, false)
            .await?
            .into_iter()
            .map(|task| Task {
                id: task.id,
                organisation: task.organisation,
                label: rules.publication.task(&task.kind),
                opened: day(&task.opened_at),
            })
            .collect();
    }
    digest.empty = digest.new_members.is_empty()
        && digest.pending.is_empty()
        && digest.held.is_empty()
        && digest.contact_changes.is_empty()
        && digest.resignations.is_empty()
        && digest.undelivered.is_empty()
        && digest.decisions_due.is_empty()
        && digest.cdp_due.is_empty()
        && digest.tasks.is_empty();
    Ok(digest)
}

impl Digest {
    /// The template context.
    ///
    /// # Errors
    /// Never for plain data.
    pub fn context(&self) -> anyhow::Result<serde_json::Value> {
        serde_json::to_value(self).context("Cannot encode the digest")
    }

    /// How many lines carry people's names or addresses (for the access log).
    pub fn personal_rows(&self) -> usize {
        self.new_members.len()
            + self.held.len()
            + self.contact_changes.len()
            + self.undelivered.len()
    }
}

fn group_codes(json: &str) -> Vec<String> {
    let values: Vec<serde_json::Value> = serde_json::from_str(json).unwrap_or_default();
    values
        .iter()
        .filter_map(|value| {
            value["code"]
                .as_str()
                .or_else(|| value.as_str())
                .map(str::to_owned)
        })
        .collect()
}

fn labels(rules: &Rules, codes: &[String]) -> Vec<String> {
    codes
        .iter()
        .map(|code| {
            WorkingGroupCode::from_code(code)
                .map_or_else(|| code.clone(), |c| rules.groups.label(c))
        })
        .collect()
}

fn addresses(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

fn problem_sentences(rules: &Rules, json: &str) -> Vec<String> {
    let codes: Vec<String> = serde_json::from_str(json).unwrap_or_default();
    codes
        .iter()
        .filter_map(|code| Problem::ALL.into_iter().find(|p| p.as_str() == code))
        .filter(|problem| problem.severity() != Severity::Warning)
        .map(|problem| rules.messages.problem(problem).to_owned())
        .collect()
}

fn person_line(value: &serde_json::Value) -> String {
    let person: Option<Person> = serde_json::from_value(value.clone()).ok().flatten();
    person.map_or_else(
        || "—".to_owned(),
        |p| {
            let name = [p.first_name.as_deref(), p.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            match p.email {
                Some(email) if !name.is_empty() => format!("{name} <{email}>"),
                Some(email) => email,
                None => name,
            }
        },
    )
}

/// `14 avril 2026 à 08:30`, Europe/Brussels.
fn moment(clock: &Clock, at: Timestamp) -> String {
    let local = clock.local(at);
    format!(
        "{} à {}",
        french_date(local.date()),
        local.strftime("%H:%M")
    )
}

fn moment_text(clock: &Clock, at: &str) -> String {
    clock::from_storage(at).map_or_else(|| at.to_owned(), |t| moment(clock, t))
}

/// A digest queued for its audience.
#[derive(Debug, Clone)]
pub struct Queued {
    /// `coordinators` or `gt.<code>`.
    pub audience: String,
    /// Who gets it.
    pub recipients: Vec<String>,
    /// Nothing new in it.
    pub empty: bool,
}

/// Queues the digest of every audience that has an address: the coordination's always
/// (one line when nothing is new), a group's Locomotive's only when there is something
/// about its group. Each covers the time since that audience's previous digest (or
/// `since`), up to now, and is recorded. Delivery is the outbox's.
///
/// # Errors
/// The store fails.
pub async fn queue(
    store: &Store,
    rules: &Rules,
    clock: &Clock,
    roles: &Roles,
    from: &str,
    since: Option<Timestamp>,
) -> anyhow::Result<Vec<Queued>> {
    let now = clock.now();
    let mut queued = Vec::new();
    for audience in Audience::all() {
        let recipients = audience.recipients(roles);
        if recipients.is_empty() {
            if audience == Audience::Coordinators {
                // The Locomotives' parts go out with the coordination's, never alone.
                tracing::warn!("No address for the coordinators: no digest sent.");
                return Ok(queued);
            }
            continue;
        }
        let start = match since {
            Some(since) => since,
            None => previous_end(store, audience, now).await?,
        };
        let digest = gather(store, rules, clock, audience, start, now).await?;
        if digest.empty && audience != Audience::Coordinators {
            continue;
        }
        let reply = crate::workflow::Reply {
            purpose: "digest".to_owned(),
            to: recipients.clone(),
            context: Some(digest.context()?),
            ..crate::workflow::Reply::default()
        };
        let mut tx = store.begin().await?;
        let outbox_id = crate::outbox::enqueue(&mut tx, &reply, from, None, rules, now).await?;
        crate::store::publication::record_digest(
            &mut tx,
            &crate::store::publication::DigestSent {
                at: &clock::to_storage(now),
                since: &digest.since,
                until: &digest.until,
                audience: &digest.audience,
                outbox_id: Some(outbox_id),
                empty: digest.empty,
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(audience = %digest.audience, empty = digest.empty, "Digest queued.");
        queued.push(Queued {
            audience: digest.audience,
            recipients,
            empty: digest.empty,
        });
    }
    Ok(queued)
}

/// Where `audience`'s previous digest ended; for the first one, the first message ever
/// received (or now).
pub async fn previous_end(
    store: &Store,
    audience: Audience,
    now: Timestamp,
) -> anyhow::Result<Timestamp> {
    let mut conn = store.pool().acquire().await?;
    let last = crate::store::publication::last_digest_until(&mut conn, &audience.key()).await?;
    let first = match last {
        Some(last) => Some(last),
        None => rows::first_received_at(&mut conn).await?,
    };
    Ok(first
        .as_deref()
        .and_then(clock::from_storage)
        .unwrap_or(now))
}

/// Whether the daemon should send the digest now: the coordination has an address, it is
/// a sending day, past the hour, and none was sent to the coordination today.
///
/// # Errors
/// The store fails.
pub async fn due(
    store: &Store,
    rules: &Rules,
    clock: &Clock,
    roles: &Roles,
) -> anyhow::Result<bool> {
    if Audience::Coordinators.recipients(roles).is_empty() {
        return Ok(false);
    }
    let now = clock.local(clock.now());
    let schedule = &rules.publication.digest;
    if !schedule.is_sending_day(now.date()) || now.time() < schedule.time {
        return Ok(false);
    }
    let mut conn = store.pool().acquire().await?;
    let last = crate::store::publication::last_digest_at(&mut conn, "coordinators").await?;
    Ok(last
        .as_deref()
        .and_then(clock::from_storage)
        .is_none_or(|at| clock.local_date(at) < now.date()))
}
