//! The Région's decisions on working-group requests, as a coordinator records them: the
//! state change, its history line and the "confirmation officielle" to the member, in one
//! transaction (the notice leaves from the outbox after it commits).

use anyhow::{bail, Context};
use jiff::ToSpan;
use serde_json::json;

use super::Pipeline;
use crate::clock::{self, french_date};
use crate::form::record::{Category, Person, WorkingGroupCode};
use crate::outbox;
use crate::store::groups::{self as store_groups, DecisionValues, GroupRequestRow, NewRequest};
use crate::store::members;
use crate::store::tasks::{self, TaskRow};
use crate::workflow::groups::{self, Fill, GroupDecision, Notice, Seat};

/// A coordinator's decision.
#[derive(Debug, Clone)]
pub struct GroupOrder {
    /// The member.
    pub member_id: i64,
    /// The group.
    pub code: WorkingGroupCode,
    /// What the Région decided.
    pub decision: GroupDecision,
    /// Who records it.
    pub by: String,
    /// Why (logged; told to the member).
    pub note: Option<String>,
    /// Assign past the group's maximum all the same.
    pub over_capacity: bool,
}

/// What a decision did.
#[derive(Debug, Clone)]
pub struct GroupDecided {
    /// The member's official name.
    pub organisation: String,
    /// The state before.
    pub before: String,
    /// The state now.
    pub state: String,
    /// For a withdrawal: the day it applies.
    pub applies_on: Option<String>,
    /// The notice queued (outbox id), if anyone could be written to.
    pub notice_id: Option<i64>,
    /// The group's fill level after the decision.
    pub fill: Option<Fill>,
}

impl Pipeline {
    /// Records `order`: checks it against the member, the group and its capacity, changes
    /// the request's state, appends the history and queues the notice.
    ///
    /// # Errors
    /// The order is refused (not an active member, reserved group, no change, over
    /// capacity without `over_capacity`), or the store fails.
    pub async fn decide_group(&self, order: &GroupOrder) -> anyhow::Result<GroupDecided> {
        let rules = &self.shared.rules;
        let now = self.clock.now();
        let at = clock::to_storage(now);
        let today = self.clock.local_date(now);
        let group = rules
            .groups
            .get(order.code)
            .context("Ce groupe n’est pas dans les règles")?;
        let mut tx = self.store.begin().await?;
        let member = members::get(&mut tx, order.member_id)
            .await?
            .context("Membre inconnu")?;
        if member.status != "active" {
            bail!(
                "« {} » n’est pas membre actif (statut : {}) : aucune décision de GT possible",
                member.name,
                member.status
            );
        }
        let category = member.category.as_deref().and_then(Category::from_code);
        if !groups::eligible(group, category) {
            bail!(
                "Le GT {} est réservé ({}) : « {} » ne peut pas y être affecté",
                group.label,
                group
                    .reserved_to
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                member.name
            );
        }
        let request = match store_groups::get(&mut tx, member.id, order.code.as_str()).await? {
            Some(request) => request,
            None => {
                // The Région may place a member in a group it did not ask for (annex 1 §2).
                let delegate = delegate_from_member(&member.working_groups, order.code);
                store_groups::insert_for_decision(
                    &mut tx,
                    &NewRequest {
                        member_id: member.id,
                        code: order.code.as_str(),
                        delegate: &delegate,
                        requested_at: &at,
                        late: groups::is_late(group, now),
                        clock_start: None,
                        rules_version: &rules.version,
                    },
                )
                .await?;
                store_groups::get(&mut tx, member.id, order.code.as_str())
                    .await?
                    .context("The request just recorded is missing")?
            }
        };
        if !order.decision.allowed_from(&request.state) {
            bail!(
                "« {} » est déjà « {} » pour le GT {} : décision « {} » impossible",
                member.name,
                french_state(&request.state),
                group.label,
                french_state(order.decision.state())
            );
        }
        let requests = store_groups::list(&mut tx, Some(order.code.as_str())).await?;
        let fill_before = fill_of(&self.shared.rules.groups, &requests, today, order.code);
        if order.decision == GroupDecision::Assign
            && groups::counts_in_capacity(member.category.as_deref())
        {
            if let Some(fill) = &fill_before {
                if fill.assigned >= fill.max && !order.over_capacity {
                    bail!(
                        "Le GT {} est complet ({} places occupées sur {}) : ajoutez --over-capacity pour dépasser la capacité de l’annexe 1",
                        group.label,
                        fill.assigned,
                        fill.max
                    );
                }
            }
        }
        let applies_on = (order.decision == GroupDecision::Withdraw).then(|| {
            let days = i64::from(rules.groups.decisions.withdrawal_notice_days);
            today.checked_add(days.days()).unwrap_or(today)
        });
        let person = |json: &str| serde_json::from_str::<Option<Person>>(json).ok().flatten();
        let legal = person(&member.legal_representative).unwrap_or_default();
        let contact = groups::contact_address(person(&member.contact_point).as_ref(), &legal);
        let delegate = person(&request.delegate).and_then(|p| p.email);
        let reply = groups::notice(
            &Notice {
                organisation: &member.name,
                group,
                decision: order.decision,
                note: order.note.as_deref(),
                applies_on,
                late: request.late,
                contact: contact.as_deref(),
                delegate: delegate.as_deref(),
                upcoming: groups::upcoming_sessions(&rules.groups, order.code, now),
            },
            member.id,
        );
        let notice_id = match &reply {
            Some(reply) => {
                Some(outbox::enqueue(&mut tx, reply, &self.from, None, rules, now).await?)
            }
            None => {
                tracing::warn!(member = %member.name, "No address for the group decision notice.");
                None
            }
        };
        let applies_on_text = applies_on.map(|day| day.to_string());
        store_groups::decide(
            &mut tx,
            request.id,
            &DecisionValues {
                state: order.decision.state(),
                at: &at,
                by: &order.by,
                note: order.note.as_deref(),
                applies_on: applies_on_text.as_deref(),
                notice_id,
                rules_version: &rules.version,
            },
        )
        .await?;
        let detail = json!({
            "code": order.code.as_str(),
            "before": request.state,
            "state": order.decision.state(),
            "note": order.note,
            "applies_on": applies_on_text,
            "over_capacity": order.over_capacity,
            "notice_id": notice_id,
            "rules_version": rules.version,
        });
        members::record_event(
            &mut tx,
            member.id,
            &at,
            &format!("group_{}", order.decision.state()),
            None,
            &order.by,
            &detail.to_string(),
        )
        .await?;
        let requests = store_groups::list(&mut tx, Some(order.code.as_str())).await?;
        let fill = fill_of(&self.shared.rules.groups, &requests, today, order.code);
        tx.commit().await?;
        tracing::info!(
            member = %member.name,
            group = order.code.as_str(),
            state = order.decision.state(),
            by = %order.by,
            "Working group decision recorded."
        );
        Ok(GroupDecided {
            organisation: member.name,
            before: request.state,
            state: order.decision.state().to_owned(),
            applies_on: applies_on.map(french_date),
            notice_id,
            fill,
        })
    }

    /// Records that the Communauté de Pratiques access of `member_id` was sent (annex 2).
    ///
    /// # Errors
    /// No open access task for that member, or the store fails.
    pub async fn cdp_sent(&self, member_id: i64, by: &str) -> anyhow::Result<()> {
        let at = clock::to_storage(self.clock.now());
        let mut tx = self.store.begin().await?;
        if !store_groups::cdp_sent(&mut tx, member_id, &at, by).await? {
            bail!("Aucun accès à la Communauté de Pratiques en attente pour ce membre");
        }
        tasks::done_kind(&mut tx, member_id, "send_cdp_access", &at, by).await?;
        let detail = json!({ "rules_version": self.shared.rules.version });
        members::record_event(
            &mut tx,
            member_id,
            &at,
            "cdp_sent",
            None,
            by,
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A coordinator closes task `id`. Closing "send the CdP access" also records the
    /// access as sent, as `groups cdp-sent` does.
    ///
    /// # Errors
    /// No such open task, or the store fails.
    pub async fn task_done(
        &self,
        id: i64,
        by: &str,
        note: Option<&str>,
    ) -> anyhow::Result<TaskRow> {
        let at = clock::to_storage(self.clock.now());
        let mut tx = self.store.begin().await?;
        let task = tasks::get(&mut tx, id).await?.context("Tâche inconnue")?;
        if !tasks::done(&mut tx, id, &at, by, note).await? {
            bail!("La tâche n° {id} est déjà faite");
        }
        if task.kind == "send_cdp_access" {
            store_groups::cdp_sent(&mut tx, task.member_id, &at, by).await?;
        }
        let detail = json!({ "task": id, "kind": task.kind, "note": note });
        members::record_event(
            &mut tx,
            task.member_id,
            &at,
            "task_done",
            None,
            by,
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(task)
    }
}

/// The fill level of `code` from its requests.
pub fn fill_of(
    groups_rules: &crate::rules::groups::WorkingGroups,
    requests: &[GroupRequestRow],
    today: jiff::civil::Date,
    code: WorkingGroupCode,
) -> Option<Fill> {
    let seats: Vec<Seat<'_>> = requests.iter().map(seat_of).collect();
    groups::fill(groups_rules, &seats, today)
        .into_iter()
        .find(|fill| fill.code == code)
}

/// A request as the fill level sees it.
pub fn seat_of(row: &GroupRequestRow) -> Seat<'_> {
    Seat {
        code: &row.code,
        state: &row.state,
        category: row.category.as_deref(),
        applies_on: row.applies_on.as_deref(),
    }
}

/// The delegate the member's form names for `code`, as JSON (`null` when none).
fn delegate_from_member(working_groups_json: &str, code: WorkingGroupCode) -> String {
    let groups: Vec<serde_json::Value> =
        serde_json::from_str(working_groups_json).unwrap_or_default();
    groups
        .into_iter()
        .find(|g| g["code"] == code.as_str())
        .map_or_else(|| "null".to_owned(), |g| g["delegate"].to_string())
}

/// A state as coordinators read it.
pub fn french_state(state: &str) -> &'static str {
    match state {
        "requested" => "demandé",
        "assigned" => "affecté",
        "waitlisted" => "en liste d’attente",
        "refused" => "refusé",
        "withdrawn" => "retiré",
        _ => "inconnu",
    }
}
