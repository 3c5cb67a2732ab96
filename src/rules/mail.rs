//! `mail.toml` and `templates/`: the French mail mailroom sends, rendered with minijinja.
//!
//! Each purpose has a subject template and `templates/<purpose>.txt`. The HTML alternative
//! is `templates/layout.html` filled with the rendered text split into paragraphs and
//! lists, so text and HTML always say the same thing; minijinja escapes every value in it.
//! A subject loses every control character after rendering: a member's organisation name
//! can never add a header.

use std::collections::BTreeMap;

use minijinja::{Environment, Value};
use serde::{Deserialize, Serialize};

/// `mail.toml`: purpose → subject template.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct MailFile {
    purposes: BTreeMap<String, Purpose>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Purpose {
    subject: String,
}

/// The purposes the engine sends; each must have a subject and a body template.
pub const PURPOSES: [&str; 10] = [
    "acknowledgement",
    "incomplete",
    "ineligible",
    "unreadable",
    "under_review",
    "contact_updated",
    "resigned",
    "group_decision",
    "participation_forward",
    "digest",
];

/// The templates, compiled once.
#[derive(Debug)]
pub struct MailTemplates {
    env: Environment<'static>,
}

impl Clone for MailTemplates {
    fn clone(&self) -> Self {
        MailTemplates {
            env: self.env.clone(),
        }
    }
}

/// One rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line, no control characters.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML alternative.
    pub html: String,
}

/// A paragraph of the HTML alternative.
#[derive(Debug, Serialize)]
struct Block<'a> {
    list: bool,
    lines: Vec<&'a str>,
}

impl MailTemplates {
    /// Compiles `mail.toml`'s subjects and the `templates/` files (path → text).
    /// Returns every problem found, one line each.
    pub fn new(
        file: &MailFile,
        templates: &BTreeMap<String, String>,
    ) -> Result<MailTemplates, Vec<String>> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        let mut problems = Vec::new();
        for (name, source) in templates {
            if let Err(error) = env.add_template_owned(name.clone(), source.clone()) {
                problems.push(format!("templates/{name}: {error}"));
            }
        }
        for (purpose, entry) in &file.purposes {
            let name = format!("{purpose}.subject");
            if let Err(error) = env.add_template_owned(name, entry.subject.clone()) {
                problems.push(format!("mail.toml: [{purpose}] subject: {error}"));
            }
        }
        for purpose in PURPOSES {
            if !file.purposes.contains_key(purpose) {
                problems.push(format!("mail.toml: lacks [{purpose}]"));
            }
            if !templates.contains_key(&format!("{purpose}.txt")) {
                problems.push(format!("templates/{purpose}.txt: missing"));
            }
        }
        if !templates.contains_key("layout.html") {
            problems.push("templates/layout.html: missing".to_owned());
        }
        if problems.is_empty() {
            Ok(MailTemplates { env })
        } else {
            Err(problems)
        }
    }

    /// Renders the page `name` of `templates/` (HTML escaped when it ends in `.html`).
    ///
    /// # Errors
    /// No such template, or it fails on this context.
    pub fn page(
        &self,
        name: &str,
        context: &serde_json::Value,
    ) -> Result<String, minijinja::Error> {
        self.env
            .get_template(name)?
            .render(Value::from_serialize(context))
    }

    /// Renders `purpose` with `context` (a JSON object).
    ///
    /// # Errors
    /// An unknown purpose or a template that fails on this context.
    pub fn render(
        &self,
        purpose: &str,
        context: &serde_json::Value,
    ) -> Result<Rendered, minijinja::Error> {
        let context = Value::from_serialize(context);
        let subject = self
            .env
            .get_template(&format!("{purpose}.subject"))?
            .render(&context)?;
        let subject = one_line(&subject);
        let text = self
            .env
            .get_template(&format!("{purpose}.txt"))?
            .render(&context)?;
        let text = tidy(&text);
        // A purpose with its own HTML (the digest's tables and bars) renders it from the
        // same values; the others fill the layout with the text, paragraph by paragraph.
        let html = match self.env.get_template(&format!("{purpose}.html")) {
            Ok(own) => own.render(minijinja::context! {
                subject => &subject,
                ..context
            })?,
            Err(_) => self
                .env
                .get_template("layout.html")?
                .render(minijinja::context! {
                    subject => &subject,
                    blocks => blocks(&text),
                })?,
        };
        Ok(Rendered {
            subject,
            text,
            html,
        })
    }
}

/// Control characters (CR, LF, tab…) become spaces, runs of spaces one.
pub fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Trailing spaces off every line, at most one blank line in a row, CRLF-free, one final
/// newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out.push('\n');
    out
}

/// Paragraphs (separated by blank lines) and lists (runs of lines starting with "- ").
fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut blocks: Vec<Block<'_>> = Vec::new();
    for paragraph in text.split("\n\n") {
        let mut current: Option<Block<'_>> = None;
        for line in paragraph.lines() {
            let (list, line) = match line.strip_prefix("- ") {
                Some(item) => (true, item),
                None => (false, line),
            };
            match &mut current {
                Some(block) if block.list == list => block.lines.push(line),
                _ => {
                    blocks.extend(current.take());
                    current = Some(Block {
                        list,
                        lines: vec![line],
                    });
                }
            }
        }
        blocks.extend(current);
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_keeps_no_line_break_a_member_wrote() {
        assert_eq!(
            one_line("ASeT-W — Evil\r\nBcc: victim@example.org — x"),
            "ASeT-W — Evil Bcc: victim@example.org — x"
        );
    }

    #[test]
    fn text_becomes_paragraphs_and_lists() {
        let text = tidy("Bonjour,\n\n\n\nVoici :\n- un\n- deux  \nFin.\n");
        assert_eq!(text, "Bonjour,\n\nVoici :\n- un\n- deux\nFin.\n");
        let blocks = blocks(&text);
        let shape: Vec<(bool, usize)> = blocks.iter().map(|b| (b.list, b.lines.len())).collect();
        assert_eq!(shape, vec![(false, 1), (false, 1), (true, 2), (false, 1)]);
    }
}
