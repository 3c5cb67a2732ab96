//! The members as the workflow sees them, and which one a message is about.
//!
//! Matching (art. 4.2, 6.1, 6.3): the name first — the form's official name, else the
//! subject's — then the sender. A name that merely looks like a member's (an acronym, a
//! typo) is a near match: a coordinator decides, never the bot, so no second member is
//! created and the wrong one is never updated.

use crate::form::record::{Person, WorkingGroupChoice};
use crate::store::members::MemberRow;

use super::matching::{compare, NameMatch};

/// Webmail domains many unrelated people share: a sender's domain there says nothing
/// about their organisation.
const SHARED_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.be",
    "hotmail.fr",
    "outlook.com",
    "outlook.be",
    "outlook.fr",
    "live.com",
    "live.be",
    "msn.com",
    "yahoo.com",
    "yahoo.fr",
    "icloud.com",
    "me.com",
    "skynet.be",
    "proximus.be",
    "telenet.be",
    "voo.be",
    "scarlet.be",
    "gmx.com",
    "gmx.net",
    "protonmail.com",
    "proton.me",
    "orange.fr",
    "free.fr",
];

/// A member, its JSON columns read.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Member id.
    pub id: i64,
    /// Official name.
    pub name: String,
    /// `pending`, `active`, `resigned`.
    pub status: String,
    /// Category code.
    pub category: Option<String>,
    /// Form 2.
    pub legal_representative: Person,
    /// Form 2; `None`: the legal representative is the contact (art. 4.2).
    pub contact_point: Option<Person>,
    /// What the form asked for.
    pub working_groups: Vec<WorkingGroupChoice>,
    /// SHA-256 of the form content.
    pub form_sha256: Option<String>,
    /// Domain the membership came from.
    pub sender_domain: Option<String>,
    /// Art. 6.2 date.
    pub effective_date: Option<String>,
    /// Its art. 6.2 confirmation is queued: registered, `active` once it is delivered.
    pub confirmation_on_its_way: bool,
}

impl Member {
    /// Reads a row; JSON columns that do not parse read as empty (and are logged).
    pub fn from_row(row: &MemberRow) -> Member {
        fn parse<T: serde::de::DeserializeOwned + Default>(id: i64, column: &str, json: &str) -> T {
            serde_json::from_str::<Option<T>>(json)
                .map(Option::unwrap_or_default)
                .unwrap_or_else(|error| {
                    tracing::error!(member_id = id, column, %error, "Unreadable member column.");
                    T::default()
                })
        }
        let contact: Option<Person> = serde_json::from_str(&row.contact_point).unwrap_or(None);
        Member {
            id: row.id,
            name: row.name.clone(),
            status: row.status.clone(),
            category: row.category.clone(),
            legal_representative: parse(row.id, "legal_representative", &row.legal_representative),
            contact_point: contact.filter(|person| !person.is_empty()),
            working_groups: parse(row.id, "working_groups", &row.working_groups),
            form_sha256: row.form_sha256.clone(),
            sender_domain: row.sender_domain.clone(),
            effective_date: row.effective_date.clone(),
            confirmation_on_its_way: row.confirmation_on_its_way,
        }
    }

    /// The contact point in force: the named one, else the legal representative (4.2).
    pub fn contact(&self) -> &Person {
        self.contact_point
            .as_ref()
            .unwrap_or(&self.legal_representative)
    }

    /// Whether a contact point distinct from the legal representative is registered.
    pub fn has_separate_contact(&self) -> bool {
        match &self.contact_point {
            Some(contact) => !same_address(
                contact.email.as_deref(),
                self.legal_representative.email.as_deref(),
            ),
            None => false,
        }
    }

    /// Whether `address` is the contact point's.
    pub fn is_contact(&self, address: &str) -> bool {
        same_address(self.contact().email.as_deref(), Some(address))
    }

    /// Whether `address` is the legal representative's.
    pub fn is_legal_representative(&self, address: &str) -> bool {
        same_address(self.legal_representative.email.as_deref(), Some(address))
    }

    /// Whether the member is active (art. 6.2 confirmation sent, not resigned).
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }

    /// Whether the membership is registered: active, or its duly completed form accepted
    /// and the confirmation on its way (still `pending` until delivered, art. 6.2). A
    /// second copy of the form, a contact change or a resignation arriving in that window
    /// is about a member, not a newcomer.
    pub fn is_registered(&self) -> bool {
        self.is_active() || (self.status == "pending" && self.confirmation_on_its_way)
    }

    /// Every domain the member writes from: where the form came from, its people's.
    fn domains(&self) -> Vec<String> {
        let mut domains: Vec<String> = self.sender_domain.iter().cloned().collect();
        let people = std::iter::once(&self.legal_representative).chain(&self.contact_point);
        domains.extend(people.filter_map(|p| p.email.as_deref().and_then(domain_of)));
        domains.retain(|domain| !is_shared_domain(domain));
        domains
    }
}

/// Which member a message is about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Found<'m> {
    /// This one, certainly.
    Member(&'m Member),
    /// One whose name or domain looks like it: a coordinator decides.
    Near(&'m Member),
    /// None.
    Nobody,
}

/// The member named `name`: the same name, else a near match.
pub fn by_name<'m>(members: &'m [Member], name: &str) -> Found<'m> {
    if let Some(member) = members
        .iter()
        .find(|m| compare(&m.name, name) == NameMatch::Same)
    {
        return Found::Member(member);
    }
    members
        .iter()
        .find(|m| compare(&m.name, name) == NameMatch::Near)
        .map_or(Found::Nobody, Found::Near)
}

/// The member `sender` writes for: the one whose contact point or legal representative
/// it is; else the one member writing from its domain (a shared webmail domain says
/// nothing). Several candidates: nobody is certain.
pub fn by_sender<'m>(members: &'m [Member], sender: &str) -> Found<'m> {
    let mut people = members
        .iter()
        .filter(|m| m.is_contact(sender) || m.is_legal_representative(sender));
    if let (Some(member), None) = (people.next(), people.next()) {
        return Found::Member(member);
    }
    let Some(domain) = domain_of(sender).filter(|d| !is_shared_domain(d)) else {
        return Found::Nobody;
    };
    let mut same_domain = members.iter().filter(|m| m.domains().contains(&domain));
    match (same_domain.next(), same_domain.next()) {
        (Some(member), None) => Found::Member(member),
        _ => Found::Nobody,
    }
}

/// A new organisation's name against the members from the same domain: a second
/// membership from one domain is more often the same organisation under another name
/// than a new one, so it is a near match.
pub fn same_domain_as<'m>(members: &'m [Member], sender: &str) -> Option<&'m Member> {
    let domain = domain_of(sender).filter(|d| !is_shared_domain(d))?;
    members.iter().find(|m| m.domains().contains(&domain))
}

/// The domain of an address, lower case.
pub fn domain_of(address: &str) -> Option<String> {
    let (_, domain) = address.trim().rsplit_once('@')?;
    let domain = domain.trim_end_matches('>').to_ascii_lowercase();
    (!domain.is_empty()).then_some(domain)
}

fn is_shared_domain(domain: &str) -> bool {
    SHARED_DOMAINS.contains(&domain)
}

/// Addresses compared without case or surrounding spaces.
pub fn same_address(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            let (a, b) = (a.trim(), b.trim());
            !a.is_empty() && a.eq_ignore_ascii_case(b)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i64, name: &str, contact: &str, legal: &str) -> Member {
        Member {
            id,
            name: name.to_owned(),
            status: "active".to_owned(),
            category: Some("hospital".to_owned()),
            legal_representative: Person {
                email: Some(legal.to_owned()),
                ..Person::default()
            },
            contact_point: Some(Person {
                email: Some(contact.to_owned()),
                ..Person::default()
            }),
            working_groups: Vec::new(),
            form_sha256: None,
            sender_domain: None,
            effective_date: None,
            confirmation_on_its_way: false,
        }
    }

    fn members() -> Vec<Member> {
        vec![
            member(
                1,
                "Centre Hospitalier Régional de la Haute-Meuse",
                "julie.martin@chr-hautemeuse.be",
                "direction@chr-hautemeuse.be",
            ),
            member(
                2,
                "Centre Hospitalier Régional de la Haute-Sambre",
                "paul.leroy@chr-hautesambre.be",
                "direction@chr-hautesambre.be",
            ),
        ]
    }

    #[test]
    fn a_name_without_accents_or_case_is_the_same_member() {
        let members = members();
        let found = by_name(&members, "centre hospitalier regional de la haute meuse");
        assert!(matches!(found, Found::Member(m) if m.id == 1));
    }

    #[test]
    fn an_acronym_is_a_near_match_for_a_coordinator_and_the_other_place_is_nobody() {
        let members = members();
        assert!(matches!(by_name(&members, "CHR Haute-Meuse"), Found::Near(m) if m.id == 1));
        assert!(matches!(by_name(&members, "CHR Haute-Sambre"), Found::Near(m) if m.id == 2));
        assert_eq!(by_name(&members, "Clinique du Parc"), Found::Nobody);
    }

    #[test]
    fn a_sender_is_matched_by_address_then_by_domain_never_by_webmail() {
        let members = members();
        assert!(
            matches!(by_sender(&members, "Julie.Martin@chr-hautemeuse.be"), Found::Member(m) if m.id == 1)
        );
        assert!(
            matches!(by_sender(&members, "someone.else@chr-hautesambre.be"), Found::Member(m) if m.id == 2)
        );
        assert_eq!(by_sender(&members, "julie.martin@gmail.com"), Found::Nobody);
    }

    #[test]
    fn the_legal_representative_is_the_contact_when_none_is_named() {
        let mut alone = member(3, "Résidence Les Tilleuls", "x@y.be", "dir@tilleuls.be");
        alone.contact_point = None;
        assert!(alone.is_contact("DIR@tilleuls.be"));
        assert!(!alone.has_separate_contact());
    }
}
