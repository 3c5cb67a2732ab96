//! `requests.toml`: how members word their requests in a message body.

use serde::Deserialize;

use crate::form::fold;

/// `requests.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requests {
    /// Art. 6.3.
    pub resignation: ResignationWording,
}

/// How a resignation says it is partial.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResignationWording {
    /// Phrases that keep the membership while leaving a group.
    pub partial_scope_phrases: Vec<String>,
}

impl ResignationWording {
    /// Whether `body` says the organisation stays a member.
    pub fn keeps_membership(&self, body: &str) -> bool {
        let body = fold(body);
        self.partial_scope_phrases
            .iter()
            .any(|phrase| body.contains(&fold(phrase)))
    }
}
