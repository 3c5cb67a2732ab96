//! Where the sender's new text ends: quoted earlier mail and the sign-off (with the
//! sender's own signature below it) are not read.

use std::sync::LazyLock;

use regex::Regex;

use super::addresses::first_email;
use super::{fold, line_at, lines_at, pattern};

/// A line starting with a sign-off may go on for this many characters (a name) and
/// still be the sign-off: `Cordialement, Jean Dupont`.
const SIGN_OFF_TAIL_CHARS: usize = 40;

/// `-----Original Message-----` and its French forms.
pub(super) static ORIGINAL_MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)^-{2,}[ ]*(?:original\s+message|message\s+d'origine|message\s+original)[ ]*-{2,}$",
    )
});
/// The first line of Outlook's header block: `De : …` / `From: …`.
pub(super) static HEADER_FROM: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)^\**(?:de|from)\**[ ]*:"));
/// A later line of that block: `Envoyé : …` / `Sent: …` / `Date: …`.
pub(super) static HEADER_SENT: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)^\**(?:envoy[ée]|sent|date)\**[ ]*:"));
/// The same, when HTML flattening put the whole block on one line.
pub(super) static HEADER_SENT_INLINE: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)[ ]\**(?:envoy[ée]|sent|date)\**[ ]*:"));
/// `Le lun. 3 nov. 2026 à 10:12, X <x@y> a écrit :` / `On … wrote:` starts so…
pub(super) static ATTRIBUTION_START: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)^(?:le|on)[ ]"));
/// …and ends so.
pub(super) static ATTRIBUTION_END: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)(?:a[ ]+[ée]crit|wrote)[ ]*:?$"));

/// What people close a message with, before signing it.
const SIGN_OFF_PHRASES: &str = concat!(
    r"(?:(?:bien|tr[èe]s|tr[èe]s\s+bien)\s+)?cordialement|bien\s+[àa]\s+(?:vous|toi)",
    r"|(?:(?:avec\s+)?(?:mes\s+|nos\s+)?(?:meilleures|sinc[èe]res|cordiales",
    r"|respectueuses)\s+)?salutations(?:\s+(?:distingu[ée]es|cordiales|respectueuses))?",
    r"|(?:bonne|belle|excellente)\s+(?:fin\s+de\s+)?(?:journ[ée]e|semaine|soir[ée]e)",
    r"|(?:(?:kind|best|warm)\s+)?regards|amicalement|au\s+plaisir",
    r"|merci(?:\s+(?:d'avance|beaucoup|bien|encore|pour\s+votre\s+(?:attention|aide|suivi",
    r"|compr[ée]hension|collaboration)))?(?:\s+et\s+(?:bonne",
    r"|belle)\s+(?:fin\s+de\s+)?journ[ée]e)?",
    r"|en\s+vous\s+remerciant(?:\s+d'avance)?",
);
/// A line that is a sign-off, possibly followed by a short signature: `Cordialement,`,
/// `Bien à vous, Jean Dupont`, `Merci !` — but not `Merci de mettre à jour vos listes.`
pub(super) static SIGN_OFF: LazyLock<Regex> = LazyLock::new(|| {
    let to_whom = r"(?:\s+[àa]\s+(?:vous|tous|toutes|toi))?";
    pattern(&format!(
        r"(?i)^(?:{SIGN_OFF_PHRASES}){to_whom}\s*(?:[,.!;]+(?P<rest>.*))?$"
    ))
});
/// Formal closings, however long the line: `Veuillez agréer, Madame, Monsieur, …`.
pub(super) static FORMAL_CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)^(?:(?:veuillez|je\s+vous\s+prie\s+d'|nous\s+vous\s+prions\s+d')\s*(?:agr[ée]er",
        r"|recevoir|croire)",
        // What phone apps add: `Envoyé de mon iPhone`, `Obtenir Outlook pour Android`.
        r"|envoy[ée]\s+(?:de|depuis|avec|[àa]\s+partir\s+d[e'])\s*(?:mon|ma|l'|gmail|outlook",
        r"|yahoo)|sent\s+from\s+(?:my|gmail|outlook|yahoo)",
        r"|(?:obtenir|t[ée]l[ée]charger)\s+outlook\s+pour|get\s+outlook\s+for)",
    ))
});
/// A sign-off in the middle of a line, as HTML flattened to one line leaves it: after a
/// sentence, or ending the line after a table's last cell (`… 0489 33 22 11 Salutations
/// distinguées,`).
pub(super) static SIGN_OFF_INLINE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)[.!?][ ]+(?:(?:bien|tr[èe]s)\s+)?cordialement[ ]*,",
        r"|[.!?][ ]+bien\s+[àa]\s+vous[ ]*,",
        r"|[.!?][ ]+(?:(?:meilleures|sinc[èe]res)\s+)?salutations(?:\s+distingu[ée]es)?[ ]*[,.]",
        r"|[ ](?:(?:bien|tr[èe]s)\s+)?cordialement[ ]*[,.]?$|[ ]bien\s+[àa]\s+vous[ ]*[,.]?$",
        r"|[ ](?:(?:meilleures|sinc[èe]res)\s+)?salutations(?:\s+distingu[ée]es)?[ ]*[,.]?$",
    ))
});

/// A forward's own marker line: `---------- Forwarded message ---------`,
/// `---------- Message transféré ---------`, Apple Mail's `Début du message réexpédié :`.
pub(super) static FORWARD_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)^(?:-{2,}[ ]*(?:forwarded\s+message|message\s+transf[ée]r[ée]",
        r"|message\s+r[ée]exp[ée]di[ée])[ ]*-{2,}",
        r"|(?:d[ée]but\s+du\s+message\s+r[ée]exp[ée]di[ée]|begin\s+forwarded\s+message)[ ]*:)$",
    ))
});
/// Words (folded) by which a sender hands on the mail below: `je vous transfère`,
/// `veuillez trouver ci-dessous l'information`, `ci-dessous le message de …`.
pub(super) static FORWARD_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"\btransfer|\bfai(?:s|re)\s+suivre|\b(?:trouver|voir|lire)\s+ci-dessous",
        r"|\bci-dessous\s+(?:le|l'|les|un|une|notre)?\s*(?:message|mail|e-?mail|courriel",
        r"|information|annonce)",
    ))
});
/// A request for the new contact (folded), in the mail a reply quotes: « Pourriez-vous nous
/// communiquer les nom, fonction, e-mail et téléphone du nouveau point de contact ? »
pub(super) static REQUEST_FOR_CONTACT: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?:pourriez|pouvez|pourrais|merci\s+de|auriez)[^?]{0,200}(?:nouveau\s+point\s+de",
        r"\s+contact|nouvelle\s+personne\s+de\s+contact|personne\s+qui\s+vous\s+remplace",
        r"|votre\s+successeu|votre\s+remplacant)[^?]{0,80}\?",
    ))
});
/// How much (bytes) of the quoted mail is searched for that request.
const REQUEST_REACH: usize = 2_000;

/// At most this many header lines (`De :`, `Date :`, `Objet :`, `À :`…) open a forwarded mail.
const MOST_HEADER_LINES: usize = 12;

/// A mail forwarded below the sender's own text: who wrote it, and its text.
#[derive(Debug)]
pub(super) struct Forwarded<'a> {
    /// The address on its `De :` / `From:` line.
    pub(super) sender: Option<String>,
    /// Its text, from the end of its header lines on.
    pub(super) text: &'a str,
}

/// The mail forwarded below the sender's own text, when the sender hands it on: the quote
/// starts with a forward's marker, or the own text says so (« je vous transfère
/// ci-dessous… »). A quoted mail from the sender themself is their earlier word, which a
/// newer one may correct (« ce ne sera finalement pas… »), so it is never read.
pub(super) fn forwarded_message<'a>(text: &'a str, sender: Option<&str>) -> Option<Forwarded<'a>> {
    let own = without_quoted_text(text);
    let quoted = text.get(own.len()..)?;
    let marker_above = own
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .is_some_and(|line| FORWARD_MARKER.is_match(line.trim()));
    let mut lines = lines_at(quoted)
        .into_iter()
        .skip_while(|(_, l)| l.trim().is_empty());
    let (_, first) = lines.next()?;
    let marker_below =
        FORWARD_MARKER.is_match(first.trim()) || ORIGINAL_MESSAGE.is_match(first.trim());
    if first.trim().starts_with('>')
        || !(marker_above || marker_below || FORWARD_WORDS.is_match(&fold(own)))
    {
        return None;
    }
    let mut from = HEADER_FROM
        .is_match(first.trim())
        .then(|| first_email(first))
        .flatten();
    for (start, line) in lines.take(MOST_HEADER_LINES) {
        if line.trim().is_empty() {
            let forwarded = Forwarded {
                sender: from,
                text: quoted.get(start..)?,
            };
            let own_earlier_word =
                forwarded.sender.is_some() && forwarded.sender.as_deref() == sender;
            return (!own_earlier_word).then_some(forwarded);
        }
        if from.is_none() && HEADER_FROM.is_match(line.trim()) {
            from = first_email(line);
        }
    }
    None
}

/// Whether the mail a reply quotes asks for the new contact, so that a short answer
/// (« Voici : … ») names them.
pub(super) fn quotes_request_for_contact(text: &str) -> bool {
    let own = without_quoted_text(text);
    let mut end = (own.len() + REQUEST_REACH).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(own.len()..end)
        .is_some_and(|quoted| REQUEST_FOR_CONTACT.is_match(&fold(quoted)))
}

/// `text` up to the first line that opens quoted text.
pub(super) fn without_quoted_text(text: &str) -> &str {
    let lines = lines_at(text);
    (0..lines.len())
        .find(|&i| opens_quote(&lines, i))
        .and_then(|i| lines.get(i))
        .and_then(|&(start, _)| text.get(..start))
        .unwrap_or(text)
}

/// Whether line `i` starts quoted text.
fn opens_quote(lines: &[(usize, &str)], i: usize) -> bool {
    let Some(line) = line_at(lines, i) else {
        return false;
    };
    let line = line.trim();
    line.starts_with('>')
        || ORIGINAL_MESSAGE.is_match(line)
        || opens_header_block(lines, i, line)
        || is_attribution(lines, i, line)
}

/// `De : …` followed (on the same line or within the next three) by `Envoyé : …`.
fn opens_header_block(lines: &[(usize, &str)], i: usize, line: &str) -> bool {
    if !HEADER_FROM.is_match(line) {
        return false;
    }
    HEADER_SENT_INLINE.is_match(line)
        || lines
            .iter()
            .skip(i + 1)
            .map(|&(_, next)| next.trim())
            .filter(|next| !next.is_empty())
            .take(3)
            .any(|next| HEADER_SENT.is_match(next))
}

/// `Le … a écrit :` / `On … wrote:`, possibly wrapped over two lines.
fn is_attribution(lines: &[(usize, &str)], i: usize, line: &str) -> bool {
    const LONGEST: usize = 500;
    if line.len() > LONGEST || !ATTRIBUTION_START.is_match(line) {
        return false;
    }
    if ATTRIBUTION_END.is_match(line) {
        return true;
    }
    line_at(lines, i + 1).is_some_and(|next| {
        next.len() <= LONGEST && ATTRIBUTION_END.is_match(&format!("{line} {}", next.trim()))
    })
}

/// `text` up to the sender's sign-off, or all of it when there is none.
pub(super) fn before_sign_off(text: &str) -> &str {
    for (start, line) in lines_at(text) {
        if is_sign_off_line(line.trim()) {
            return text.get(..start).unwrap_or(text);
        }
        if let Some(found) = SIGN_OFF_INLINE.find(line) {
            // Keep the full stop that ends the last sentence (one ASCII byte).
            return text.get(..start + found.start() + 1).unwrap_or(text);
        }
    }
    text
}

/// Whether a (trimmed) line closes the message.
fn is_sign_off_line(line: &str) -> bool {
    if line == "--" || FORMAL_CLOSING.is_match(line) {
        return true;
    }
    SIGN_OFF.captures(line).is_some_and(|found| {
        found
            .name("rest")
            .map_or(0, |rest| rest.as_str().trim().chars().count())
            <= SIGN_OFF_TAIL_CHARS
    })
}
