//! The official list of signatories (art. 6.3, art. 8): published on the alliance's
//! website, so it names organisations only — official name as written in the form,
//! category, municipality, effective date — never their people.

use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;
use serde::Serialize;

use crate::rules::Rules;
use crate::store::members::MemberRow;

/// One line of the public list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signatory {
    /// Official name as written in the form.
    pub organisation: String,
    /// `hospital`, `elderly_care`, `ecosystem`.
    pub category: Option<String>,
    /// As the website says it.
    pub category_label: Option<String>,
    /// From the registered address (Belgian postcode and locality).
    pub municipality: Option<String>,
    /// Art. 6.2, `YYYY-MM-DD`.
    pub effective_date: String,
}

/// A change to the published list since a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListChange {
    /// `added` or `removed`.
    pub change: &'static str,
    /// The day of the change (effective date, or resignation date).
    pub date: String,
    /// Who.
    #[serde(flatten)]
    pub signatory: Signatory,
}

/// "…, 5500 Dinant" → "Dinant": the locality after the last Belgian postcode.
static LOCALITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s,])(?:B-?)?[1-9]\d{3}\s+([^\d,;()]+?)\s*(?:\(|,|;|$)")
        .unwrap_or_else(|_| unreachable!("a constant pattern"))
});

/// The municipality of a Belgian address, when it carries a postcode.
pub fn municipality(address: &str) -> Option<String> {
    LOCALITY
        .captures_iter(address)
        .last()
        .and_then(|caps| caps.get(1))
        .map(|m| m.as_str().trim().trim_end_matches('.').to_owned())
        .filter(|name| !name.is_empty())
}

fn signatory(row: &MemberRow, effective: &str, rules: &Rules) -> Signatory {
    Signatory {
        organisation: row.name.clone(),
        category: row.category.clone(),
        category_label: row
            .category
            .as_deref()
            .map(|code| rules.publication.category(code)),
        municipality: row.address.as_deref().and_then(municipality),
        effective_date: effective.to_owned(),
    }
}

/// Active members whose membership has taken effect, by name.
pub fn list(members: &[MemberRow], rules: &Rules) -> Vec<Signatory> {
    let mut list: Vec<Signatory> = members
        .iter()
        .filter(|row| row.status == "active")
        .filter_map(|row| {
            row.effective_date
                .as_deref()
                .map(|effective| signatory(row, effective, rules))
        })
        .collect();
    list.sort_by(|a, b| {
        a.organisation
            .to_lowercase()
            .cmp(&b.organisation.to_lowercase())
    });
    list
}

/// Additions and removals since `since` (inclusive) for the webmaster: a member that
/// joined and left within the period was never published and is not listed.
pub fn changes_since(members: &[MemberRow], since: Date, rules: &Rules) -> Vec<ListChange> {
    let on_or_after = |date: Option<&str>| {
        date.and_then(|d| d.parse::<Date>().ok())
            .is_some_and(|d| d >= since)
    };
    let mut changes = Vec::new();
    for row in members {
        let Some(effective) = row.effective_date.as_deref() else {
            continue;
        };
        let joined = on_or_after(Some(effective));
        match row.status.as_str() {
            "active" if joined => changes.push(ListChange {
                change: "added",
                date: effective.to_owned(),
                signatory: signatory(row, effective, rules),
            }),
            "resigned" if on_or_after(row.resigned_date.as_deref()) && !joined => {
                changes.push(ListChange {
                    change: "removed",
                    date: row.resigned_date.clone().unwrap_or_default(),
                    signatory: signatory(row, effective, rules),
                });
            }
            _ => {}
        }
    }
    changes.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then(a.signatory.organisation.cmp(&b.signatory.organisation))
    });
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_municipality_is_the_locality_after_the_postcode() {
        assert_eq!(
            municipality("Avenue des Tilleuls 12, 5500 Dinant").as_deref(),
            Some("Dinant")
        );
        assert_eq!(
            municipality("Rue d’Arlon 9, B-6760 Virton").as_deref(),
            Some("Virton")
        );
        assert_eq!(
            municipality("Rue de la Station 1, 4000 Liège (Belgique)").as_deref(),
            Some("Liège")
        );
        assert_eq!(
            municipality("Chaussée de Louvain 7, 1300 Wavre, Belgique").as_deref(),
            Some("Wavre")
        );
        assert_eq!(municipality("Boîte postale 12"), None);
    }
}
