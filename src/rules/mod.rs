//! The alliance's rules: a folder of data files, never engine code.
//!
//! `rules/aset-w/` is embedded in the binary as the default; `--rules DIR` (or `rules` in
//! the configuration) loads another folder with the same layout. Every decision records
//! the [`Rules::version`] it was made under — a SHA-256 over every file of the folder — so
//! a dispute years later can be answered with the exact rules in force.

pub mod form;
pub mod groups;
pub mod mail;
mod messages;
pub mod publication;
pub mod requests;
pub mod subjects;
pub mod validation;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use self::form::FormRules;
use self::groups::WorkingGroups;
use self::mail::{MailFile, MailTemplates};
pub use self::messages::{Messages, Reason};
use self::publication::Publication;
use self::requests::Requests;
use self::subjects::SubjectRules;
use self::validation::ValidationRules;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// Who the alliance is: `alliance.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alliance {
    /// Official name.
    pub name: String,
    /// Short name, as in subjects ("ASeT-W").
    pub short_name: String,
    /// The generic mailbox members write to; replies come from it.
    pub address: String,
    /// IANA zone civil dates are read in ("Europe/Brussels").
    pub time_zone: String,
}

/// A loaded, checked rules folder.
#[derive(Debug, Clone)]
pub struct Rules {
    /// `alliance.toml`.
    pub alliance: Alliance,
    /// `subjects.toml`: how subjects name the kinds of mail.
    pub subjects: SubjectRules,
    /// `messages.toml`: the French sentences of the log and the review list.
    pub messages: Messages,
    /// `validation.toml`: what "dûment complété" means.
    pub validation: ValidationRules,
    /// `form.toml`: the membership form's labels, checkboxes, sections and fields.
    pub form: FormRules,
    /// `working_groups.toml`: the groups of annex 1.
    pub groups: WorkingGroups,
    /// `mail.toml` and `templates/`: the mail mailroom sends.
    pub mail: MailTemplates,
    /// `requests.toml`: how members word requests in a body.
    pub requests: Requests,
    /// `publication.toml`: tasks, category names, the digest's schedule.
    pub publication: Publication,
    /// The zone parsed from `alliance.time_zone`.
    pub zone: jiff::tz::TimeZone,
    /// `sha256:<hex>` over every file of the folder (path and bytes), in path order.
    pub version: String,
    /// Where the rules came from: `embedded` or the folder's path.
    pub origin: String,
}

/// Everything wrong with a rules folder, collected at once so one run shows all of it.
#[derive(Debug)]
pub struct LoadError {
    /// One line per problem: `file:line: what`.
    pub problems: Vec<String>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid rules: {}", self.problems.join("; "))
    }
}

impl std::error::Error for LoadError {}

impl Rules {
    /// The rules compiled into the binary (`rules/aset-w`).
    ///
    /// # Errors
    /// Only if the embedded folder itself is broken, which the test suite rules out.
    pub fn embedded() -> Result<Rules, LoadError> {
        let files = embedded::FILES
            .iter()
            .map(|(path, bytes)| ((*path).to_owned(), bytes.to_vec()))
            .collect();
        Rules::from_files(files, "embedded".to_owned())
    }

    /// Loads and checks the rules folder at `dir`.
    ///
    /// # Errors
    /// Unreadable folder, missing file, bad TOML or unknown keys: every problem, with file and line.
    pub fn load(dir: &Path) -> Result<Rules, LoadError> {
        let mut files = Vec::new();
        collect_files(dir, dir, &mut files).map_err(|error| LoadError {
            problems: vec![format!("{}: {error}", dir.display())],
        })?;
        Rules::from_files(files, dir.display().to_string())
    }

    fn from_files(mut files: Vec<(String, Vec<u8>)>, origin: String) -> Result<Rules, LoadError> {
        files.sort();
        let version = version_of(&files);
        let mut problems = Vec::new();
        let alliance: Option<Alliance> = parse_file(&files, "alliance.toml", &mut problems);
        let subjects: Option<SubjectRules> = parse_file(&files, "subjects.toml", &mut problems);
        let messages: Option<Messages> = parse_file(&files, "messages.toml", &mut problems);
        let validation: Option<ValidationRules> =
            parse_file(&files, "validation.toml", &mut problems);
        problems.extend(validation.iter().flat_map(ValidationRules::check));
        let form: Option<FormRules> = parse_file(&files, "form.toml", &mut problems);
        problems.extend(form.iter().flat_map(FormRules::check));
        let groups: Option<WorkingGroups> =
            parse_file(&files, "working_groups.toml", &mut problems);
        problems.extend(groups.iter().flat_map(WorkingGroups::check));
        let requests: Option<Requests> = parse_file(&files, "requests.toml", &mut problems);
        let publication: Option<Publication> =
            parse_file(&files, "publication.toml", &mut problems);
        problems.extend(publication.iter().flat_map(Publication::check));
        let mail_file: Option<MailFile> = parse_file(&files, "mail.toml", &mut problems);
        let mail = mail_file.and_then(|file| {
            MailTemplates::new(&file, &templates_of(&files, &mut problems))
                .map_err(|errors| problems.extend(errors))
                .ok()
        });
        for key in messages.iter().flat_map(Messages::missing_keys) {
            problems.push(format!("messages.toml: lacks {key}"));
        }
        let zone = alliance.as_ref().and_then(|alliance| {
            jiff::tz::TimeZone::get(&alliance.time_zone)
                .map_err(|error| problems.push(format!("alliance.toml: time_zone: {error}")))
                .ok()
        });
        let parsed = (
            alliance,
            subjects,
            messages,
            validation,
            form,
            groups,
            mail,
            requests,
            publication,
        );
        match (parsed, zone) {
            (
                (
                    Some(alliance),
                    Some(subjects),
                    Some(messages),
                    Some(validation),
                    Some(form),
                    Some(groups),
                    Some(mail),
                    Some(requests),
                    Some(publication),
                ),
                Some(zone),
            ) if problems.is_empty() => Ok(Rules {
                alliance,
                subjects,
                messages,
                validation: validation.with_group_labels(&groups),
                form,
                groups,
                mail,
                requests,
                publication,
                zone,
                version,
                origin,
            }),
            _ => Err(LoadError { problems }),
        }
    }
}

fn parse_file<T: serde::de::DeserializeOwned>(
    files: &[(String, Vec<u8>)],
    name: &str,
    problems: &mut Vec<String>,
) -> Option<T> {
    let Some((_, bytes)) = files.iter().find(|(path, _)| path == name) else {
        problems.push(format!("{name}: missing"));
        return None;
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        problems.push(format!("{name}: not UTF-8"));
        return None;
    };
    match toml::from_str(text) {
        Ok(value) => Some(value),
        Err(error) => {
            let line = error
                .span()
                .map(|span| text.get(..span.start).unwrap_or("").matches('\n').count() + 1);
            let place = line.map_or_else(|| name.to_owned(), |line| format!("{name}:{line}"));
            problems.push(format!("{place}: {}", error.message()));
            None
        }
    }
}

/// The files under `templates/`, by name, as text.
fn templates_of(
    files: &[(String, Vec<u8>)],
    problems: &mut Vec<String>,
) -> BTreeMap<String, String> {
    let mut templates = BTreeMap::new();
    for (path, bytes) in files {
        let Some(name) = path.strip_prefix("templates/") else {
            continue;
        };
        match String::from_utf8(bytes.clone()) {
            Ok(text) => {
                templates.insert(name.to_owned(), text);
            }
            Err(_) => problems.push(format!("{path}: not UTF-8")),
        }
    }
    templates
}

fn version_of(files: &[(String, Vec<u8>)]) -> String {
    let mut hasher = Sha256::new();
    for (path, bytes) in files {
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    }
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

fn collect_files(
    root: &Path,
    dir: &Path,
    files: &mut Vec<(String, Vec<u8>)>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path: PathBuf = entry?.path();
        if path.is_dir() {
            collect_files(root, &path, files)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            let relative = relative.to_string_lossy().replace('\\', "/");
            files.push((relative, std::fs::read(&path)?));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_rules_load_and_match_the_folder_they_came_from() {
        let embedded = Rules::embedded().expect("embedded rules are valid");
        let folder = Rules::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/aset-w"))
            .expect("rules folder is valid");
        assert_eq!(embedded.version, folder.version);
        assert!(embedded.version.starts_with("sha256:"));
        assert_eq!(embedded.alliance.short_name, "ASeT-W");
    }

    #[test]
    fn every_problem_of_a_broken_folder_is_reported_with_its_file_and_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("alliance.toml"),
            "name = \"X\"\nshort_name = \"X\"\naddress = \"x@example.test\"\ntime_zone = \"Europe/Brussels\"\ncolour = \"blue\"\n",
        )
        .expect("write");
        let error = Rules::load(dir.path()).expect_err("broken rules");
        let text = error.to_string();
        assert!(text.contains("alliance.toml:5"), "{text}");
        assert!(text.contains("subjects.toml: missing"), "{text}");
    }
}
