//! Recipients by role: who may receive what the alliance's mailbox sends on its own.
//!
//! The form's GDPR notice promises that personal data go only to the Walloon service in
//! charge and its coordination. So digests, rosters, forwards and exports go only to the
//! addresses of configured roles — `coordinators`, `copil`,
//! `gt.<code>.referent|pilot|facilitator` — and a group's roles receive only what is about
//! their group. The deployment configuration gives the addresses (`[roles]`); a group role
//! it leaves out falls back to the Locomotive in `working_groups.toml`, unless that is a
//! placeholder in the reserved `.invalid` domain, which is never written to.

use std::collections::BTreeMap;

use crate::config::Addresses;
use crate::form::record::WorkingGroupCode;
use crate::rules::groups::WorkingGroups;

/// A role of the alliance's governance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// The coordination (SPW, AVIQ, consultant): the whole digest, review, exports.
    Coordinators,
    /// The steering committee.
    Copil,
    /// A group's ASeT-W référent (participation difficulties, annex 1 §4).
    Referent(WorkingGroupCode),
    /// A group's thematic pilot (absences, art. 4bis.2).
    Pilot(WorkingGroupCode),
    /// A group's facilitator.
    Facilitator(WorkingGroupCode),
}

impl Role {
    /// The key in `[roles]`: `coordinators`, `copil`, `gt.resilience.pilot`…
    pub fn key(self) -> String {
        match self {
            Role::Coordinators => "coordinators".to_owned(),
            Role::Copil => "copil".to_owned(),
            Role::Referent(code) => format!("gt.{}.referent", code.as_str()),
            Role::Pilot(code) => format!("gt.{}.pilot", code.as_str()),
            Role::Facilitator(code) => format!("gt.{}.facilitator", code.as_str()),
        }
    }

    /// Every role the rules know of.
    pub fn all() -> Vec<Role> {
        let mut roles = vec![Role::Coordinators, Role::Copil];
        for code in WorkingGroupCode::ALL {
            roles.extend([
                Role::Referent(code),
                Role::Pilot(code),
                Role::Facilitator(code),
            ]);
        }
        roles
    }

    /// The group this role belongs to, if any.
    pub fn group(self) -> Option<WorkingGroupCode> {
        match self {
            Role::Coordinators | Role::Copil => None,
            Role::Referent(code) | Role::Pilot(code) | Role::Facilitator(code) => Some(code),
        }
    }
}

/// The addresses of every role, resolved once from the configuration and the rules.
#[derive(Debug, Clone, Default)]
pub struct Roles {
    by_role: BTreeMap<Role, Vec<String>>,
    unknown_keys: Vec<String>,
}

impl Roles {
    /// Resolves `configured` (the `[roles]` table) over the rules' Locomotives.
    pub fn resolve(configured: &BTreeMap<String, Addresses>, groups: &WorkingGroups) -> Roles {
        let mut by_role = BTreeMap::new();
        for role in Role::all() {
            let addresses = match configured.get(&role.key()) {
                Some(addresses) => addresses.list(),
                None => from_rules(role, groups),
            };
            let addresses: Vec<String> = addresses
                .into_iter()
                .filter(|address| !is_placeholder(address))
                .collect();
            if !addresses.is_empty() {
                by_role.insert(role, addresses);
            }
        }
        let known: Vec<String> = Role::all().into_iter().map(Role::key).collect();
        let unknown_keys = configured
            .keys()
            .filter(|key| !known.contains(key))
            .cloned()
            .collect();
        Roles {
            by_role,
            unknown_keys,
        }
    }

    /// The addresses of `role` (empty when it has none).
    pub fn addresses(&self, role: Role) -> &[String] {
        self.by_role.get(&role).map_or(&[], Vec::as_slice)
    }

    /// The roles `address` holds.
    pub fn roles_of(&self, address: &str) -> Vec<Role> {
        self.by_role
            .iter()
            .filter(|(_, list)| list.iter().any(|a| a.eq_ignore_ascii_case(address)))
            .map(|(role, _)| *role)
            .collect()
    }

    /// Whether `address` may receive what concerns `group` (`None`: the whole alliance,
    /// which only the coordinators and the steering committee may).
    pub fn may_receive(&self, address: &str, group: Option<WorkingGroupCode>) -> bool {
        self.roles_of(address).into_iter().any(|role| match role {
            Role::Coordinators | Role::Copil => true,
            _ => group.is_some() && role.group() == group,
        })
    }

    /// `[roles]` keys that name no role (typos), for `check`.
    pub fn unknown_keys(&self) -> &[String] {
        &self.unknown_keys
    }

    /// Roles without a usable address, for `check`.
    pub fn missing(&self) -> Vec<Role> {
        Role::all()
            .into_iter()
            .filter(|role| !self.by_role.contains_key(role))
            .collect()
    }
}

fn from_rules(role: Role, groups: &WorkingGroups) -> Vec<String> {
    let Some(group) = role.group().and_then(|code| groups.get(code)) else {
        return Vec::new();
    };
    let holder = match role {
        Role::Referent(_) => &group.locomotive.referent,
        Role::Pilot(_) => &group.locomotive.pilot,
        Role::Facilitator(_) => &group.locomotive.facilitator,
        Role::Coordinators | Role::Copil => return Vec::new(),
    };
    vec![holder.email.trim().to_owned()]
}

/// An address in the reserved `.invalid` domain (RFC 2606): a placeholder of the rules.
pub fn is_placeholder(address: &str) -> bool {
    address
        .trim()
        .trim_end_matches('>')
        .to_ascii_lowercase()
        .ends_with(".invalid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    fn rules() -> Rules {
        Rules::embedded().expect("rules")
    }

    #[test]
    fn placeholders_of_the_rules_are_never_written_to_and_the_configuration_wins() {
        let rules = rules();
        let mut configured = BTreeMap::new();
        configured.insert(
            "gt.resilience.pilot".to_owned(),
            Addresses::One("pilote.resilience@aviq.test".to_owned()),
        );
        configured.insert(
            "coordinators".to_owned(),
            Addresses::Many(vec!["a@spw.test".to_owned(), " ".to_owned()]),
        );
        configured.insert(
            "gt.resilience.pilote".to_owned(),
            Addresses::One("x@y.test".to_owned()),
        );
        let roles = Roles::resolve(&configured, &rules.groups);
        assert_eq!(
            roles.addresses(Role::Pilot(WorkingGroupCode::Resilience)),
            ["pilote.resilience@aviq.test"]
        );
        assert!(roles
            .addresses(Role::Referent(WorkingGroupCode::Resilience))
            .is_empty());
        assert_eq!(roles.addresses(Role::Coordinators), ["a@spw.test"]);
        assert_eq!(roles.unknown_keys(), ["gt.resilience.pilote"]);
    }

    #[test]
    fn a_pilot_receives_only_their_group_and_coordinators_everything() {
        let rules = rules();
        let mut configured = BTreeMap::new();
        configured.insert(
            "gt.resilience.pilot".to_owned(),
            Addresses::One("pilote@aviq.test".to_owned()),
        );
        configured.insert(
            "coordinators".to_owned(),
            Addresses::One("coord@spw.test".to_owned()),
        );
        let roles = Roles::resolve(&configured, &rules.groups);
        assert!(roles.may_receive("Pilote@aviq.test", Some(WorkingGroupCode::Resilience)));
        assert!(!roles.may_receive("pilote@aviq.test", Some(WorkingGroupCode::Procurement)));
        assert!(!roles.may_receive("pilote@aviq.test", None));
        assert!(roles.may_receive("coord@spw.test", None));
        assert!(!roles.may_receive("stranger@example.test", Some(WorkingGroupCode::Resilience)));
    }
}
