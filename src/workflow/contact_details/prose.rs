//! Prose: a sentence naming the successor, and their details around the name.

use std::cmp::Reverse;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::addresses::{emails_in, phones_in};
use super::labels::details_of_line;
use super::names::{is_sender, name_pattern, split_name, Lone, PersonName, ROLE_WORD, TITLE};
use super::{fold, is_one_of, key, lines_at, pattern, ContactDetails};

/// How far (bytes) after the successor's name their email or phone may still be.
const DETAILS_REACH: usize = 600;
/// How far (bytes) before and after a titled name to look for words saying that this
/// person is the successor.
const CONTEXT_BEFORE: usize = 250;
/// See [`CONTEXT_BEFORE`].
const CONTEXT_AFTER: usize = 150;
/// How far (bytes) before a titled name to look for « je remplace », « l'ancien… ».
const FORMER_REACH: usize = 60;
/// How far (bytes) after a titled name to look for « quitte ses fonctions ».
const DEPARTURE_REACH: usize = 200;
/// Paragraph and sentence bounds are sought no further than this (bytes) from a point,
/// so that a body with thousands of names or addresses still costs linear time.
const LOOK_AROUND: usize = 1_000;
/// At most this many mentions of each kind, and addresses, are weighed.
const MAX_CANDIDATES: usize = 64;

/// How surely a mention names the successor.
const ANNOUNCED: u8 = 2;
/// See [`ANNOUNCED`]: a titled name near words about succession.
const NEAR_SUCCESSION_WORDS: u8 = 1;

/// Phrases followed by the successor's name (case-insensitive).
const SUCCESSOR_PHRASES: &str = concat!(
    r"(?:point|personne)\s+de\s+contact\b[^.!?\n]{0,80}?\b(?:est|sera)\b",
    r"|\b(?:mon|ma|notre|son|sa|leur)\s+(?:successeu(?:r|re|se)|rempla[cç]ante?",
    r"|rempla[cç]ant\(e\))[^.!?\n]{0,80}?\b(?:est|sera)\b",
    r"|\brempla[cç][ée](?:\(e\)|e)?s?\s+par|\brepris(?:e|es)?\s+par",
    r"|\bsuccession\s+(?:sera\s+)?assur[ée]e\s+par",
    r"|\brelais\s+(?:sera\s+)?(?:pris|assur[ée])\s+par|\bconfi[ée](?:e|es|s)?\s+[àa]",
    // A heading-like start of line: `Remplaçant au 1/1 : …`, `Nouveau point de contact dès
    // le 1er janvier : …` (never « point de contact : » alone, which may be the old one).
    r"|(?m:^)[ ]*(?:(?:mon|ma|notre)\s+)?(?:rempla[cç]ant(?:e|\(e\))?|successeu(?:r|re|se)",
    r"|nouve(?:au|lle|l)\s+(?:point|personne)\s+de\s+contact|nouve(?:au|lle|l)\s+interlocut\w*)",
    r"\b[^:.!?\n]{0,50}?:[ ]*(?:\n[ ]*){0,2}",
    // `… ma collègue en copie, qui devient point de contact :` and the name below.
    r"|\bqui\s+(?:devient|deviendra|sera|est)\s+(?:d[ée]sormais\s+)?(?:(?:notre|le|la|votre)\s+)?",
    r"(?:nouve(?:au|lle|l)\s+)?(?:point|personne)\s+de\s+contact[ ]*:[ ]*(?:\n[ ]*){0,2}",
    // A correction: `ce ne sera finalement pas Marc Henrard mais …`.
    r"|\bne\s+sera\s+(?:finalement\s+|donc\s+)?pas\s+[^,.:;!?\n]{1,60}?\s+mais",
);
/// How the successor may be described before their name: `ma collègue`, `notre nouvelle
/// coordinatrice,` (lower-case words only, so the name cannot be taken for one).
/// The determiner is a whole word: `La` is not the start of `Laura`.
const DESCRIBED_AS: &str = concat!(
    r"(?:(?i:(?:ma|mon|notre|sa|son|leur|la|le)[ ]+|l')",
    r"(?:\p{Ll}[\p{Ll}'\-]*,?[ ]+){0,4})?",
);
/// Phrases preceded by the successor's name (case-insensitive).
const SUCCESSOR_VERBS: &str = concat!(
    r"me\s+rempla[cç](?:era|e)\b|me\s+succ[èeé]d(?:era|e)\b",
    r"|(?:sera|est|devient|deviendra)\s+(?:donc\s+|d[ée]sormais\s+",
    r"|dor[ée]navant\s+)?(?:notre|le|la|votre|mon|ma|l')\s*(?:nouveau\s+|nouvelle\s+",
    r"|nouvel\s+)?(?:point\s+de\s+contact|personne\s+de\s+contact|contact|successeu",
    r"|rempla[cç]ant|interlocut|r[ée]f[ée]rent)",
    r"|(?:devient|deviendra|sera|est)\s+(?:d[ée]sormais\s+)?(?:point|personne)\s+de\s+contact",
    r"|(?:est|sera)\s+d[ée]sign[ée]e?\s+(?:comme|en\s+tant\s+que)\s+(?:(?:notre|le|la)\s+)?",
    r"(?:nouve(?:au|lle|l)\s+)?(?:point|personne)\s+de\s+contact",
    r"|(?:reprend|reprendra|assure|assurera)\s+(?:le|la|mes|ma|mon|sa|son|notre|ce|cette|l')\s*",
    r"(?:r[ôo]le|fonction|relais|poste|mission|flambeau|suivi|point\s+de\s+contact)",
    r"|prend(?:ra)?\s+le\s+relais",
);

/// `… le point de contact sera Mme Julie Martin`.
pub(super) static NAME_AFTER_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    // `sera, dès le 1er janvier,` or `sera désormais :` then, possibly on the next line
    // (after a colon, below a blank line), the name.
    let then = concat!(
        r"(?:[ ]*,[^,.:;\n]{1,50},)?(?i:\s+(?:d[ée]sormais|dor[ée]navant|donc|bient[ôo]t))?",
        r"(?:[ ]*:[ ]*(?:\n[ ]*){0,2}|[ ]*\n?[ ]*)",
    );
    pattern(&format!(
        r"(?i:{SUCCESSOR_PHRASES}){then}{DESCRIBED_AS}(?:(?P<title>{TITLE})[ ]+)?(?P<name>{name})",
        name = name_pattern()
    ))
});
/// `Julie Martin (…) sera notre nouveau point de contact`.
pub(super) static NAME_BEFORE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    // `(julie.martin@…)` or `, coordinatrice,` may stand between the name and the verb.
    let aside = r"(?:[ ]*(?:\([^()\n]{0,120}\)|<[^<>\n]{0,120}>))?(?:[ ]*,[^,.\n]{1,60},)?";
    pattern(&format!(
        r"(?:(?P<title>{TITLE})[ ]+)?(?P<name>{name}){aside}(?:[ ]*,?[ ]+(?i:qui)[ ]+|[ ]+)(?i:{SUCCESSOR_VERBS})",
        name = name_pattern()
    ))
});
/// A line answering « who is it? »: `Voici : Élise Vandevelde`, `C'est M. Luc Renard`.
pub(super) static ANSWER: LazyLock<Regex> = LazyLock::new(|| {
    pattern(&format!(
        r"(?m)^[ ]*(?i:voici|c'est|il[ ]+s'agit[ ]+de)[ ]*:?[ ]*(?:(?P<title>{TITLE})[ ]+)?(?P<name>{name})",
        name = name_pattern()
    ))
});
/// `Mme Julie Martin` anywhere.
pub(super) static TITLED_NAME: LazyLock<Regex> = LazyLock::new(|| {
    pattern(&format!(
        r"(?P<title>{TITLE})[ ]+(?P<name>{name})",
        name = name_pattern()
    ))
});
/// The start of a greeting line, whose name is the alliance's, not the successor's.
pub(super) static GREETING: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)^[ ]*(?:(?P<plain>bonjour|bonsoir|chers?|ch[èe]res?|hello|salut|dear|hi|mesdames",
        r"|messieurs)|(?P<title>madame|monsieur))\b",
    ))
});
/// Words (folded) that make a titled name nearby the successor's.
pub(super) static SUCCESSION_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"successeu|rempla|contact|relais|reprend|reprise|nouveau|nouvelle|nouvel|desormais",
        r"|dorenavant|presente|coordonnees|interlocut",
    ))
});
/// Stricter words (folded): a sentence that gives only an address for the successor.
pub(super) static SUCCESSION_SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"successeu|remplacante?|remplacee?s? par|point de contact|personne de contact",
        r"|nouveau contact|interlocut",
    ))
});
/// Just before a titled name (folded): the person is the one who leaves.
pub(super) static FORMER_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?:\bremplace(?:r|rai|ra)?|\bremplacement\s+de|\bremplacante?\s+de",
        r"|\bsucced(?:e|er|erai)\s+a|\bsuccession\s+de|\bdepart\s+de",
        r"|\bn'est\s+plus|\bne\s+sera\s+plus|\bancien(?:ne)?\b[^.]{0,40}|\bex-?",
        // The person the sender writes for: `À la demande du Dr Anne Collard, …`.
        r"|\ba\s+la\s+demande\s+d[eu]|\bde\s+la\s+part\s+d[eu]|\bau\s+nom\s+d[eu]|\bp/o",
        r"|\bpour(?:\s+(?:le|la))?)\s*[,:]?\s*$",
    ))
});
/// Just after a titled name (folded): the person leaves…
pub(super) static DEPARTURE: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\b(?:quitt\w*|retraite|pension|demission\w*|partira|s'en\s+va)"));
/// …unless the sentence first says they take over (« point de contact » alone may be the
/// role they leave: « M. X, point de contact de notre institution, quittera… »).
pub(super) static TAKING_OVER: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"\b(?:rempla|succe|reprend|relais|nouve\w*\s+(?:point\s+de\s+|personne\s+de\s+)?contact)",
    )
});
/// `(coordinatrice environnement)` right after a name, or `<julie.martin@…>`.
pub(super) static BRACKETED: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"^[ ]*(?:\((?P<inner>[^()\n]{0,150})\)|<(?P<angled>[^<>\n]{0,150})>)")
});
/// `en qualité de responsable énergie` right after a name.
pub(super) static IN_CAPACITY_OF: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"(?i)^[ ]*,?[ ]*en\s+(?:qualit[ée]\s+de|tant\s+que)\s+(?P<function>[^,.;:()\n]+)")
});
/// A later sentence saying what the successor is: `Isabelle est notre nouvelle directrice
/// du département infirmier ;` (the subject is checked against the name afterwards).
pub(super) static FUNCTION_SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?:^|[.!?;:][ ]+|\n[ ]*)(?P<subject>\p{Lu}[\p{L}'\-]*(?:[ ]+\p{Lu}[\p{L}'\-]*){0,3})",
        r"[ ]+(?i:est|sera)[ ]+(?P<function>[^.;:!?()\n]{2,100})",
    ))
});
/// Words (folded) that name a department, never a person.
const UNIT_WORDS: &str = concat!(
    "service secretariat direction cellule departement equipe bureau accueil unite pole ",
    "administration coordination comite ressources hopital clinique centre",
);
/// Head words (folded) of functions that [`ROLE_WORD`] does not list, for a function said
/// in a sentence of its own.
pub(super) static FUNCTION_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"^(?:infirmiere?s?|technicien(?:ne)?|ingenieure?|pharmacien(?:ne)?|cheffe?|agente?",
        r"|deleguee?|eco|manager|officer|employee?|juriste|architecte|economiste|psychologue",
        r"|dieteticien(?:ne)?|logisticien(?:ne)?|cadre|adjointe?|animat(?:eur|rice)|experte?)$",
    ))
});
/// Words (folded) for the successor's part in the alliance, never their function there.
pub(super) static ALLIANCE_ROLE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"contact|interlocut|successeu|rempla|relais|referent|joignable|disponible")
});
/// Labelled fields that go on after the name on its line: `M. Olivier Dubois – Fonction : …`.
pub(super) static SEPARATOR_BEFORE_LABEL: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"^[ ]*[-–—|,;/][ ]*"));
/// How the paragraph after the successor's may go on about them: `Vous pourrez le joindre :`,
/// `Ses coordonnées :`, `Elle est …` (folded); their own name is checked apart.
pub(super) static ABOUT_THEM: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"^(?:vous\s+(?:pouvez|pourrez)\s+(?:le|la|l'|lui)|(?:il|elle)\s|ses\s+coordonnees",
        r"|son\s+(?:adresse|numero|gsm|telephone|e-?mail|courriel)|on\s+peut\s+(?:le|la|l'|lui)",
        r"|(?:pour\s+)?(?:le|la)\s+(?:joindre|contacter))",
    ))
});
/// `, coordinatrice environnement,` right after a name.
pub(super) static FUNCTION_AFTER: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"^[ ]*,[ ]*(?P<function>(?:[^,.;:()\n]|\.\S)+)"));

/// The line below a name that ends its line.
pub(super) static FUNCTION_BELOW: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"^[ ]*\n[ ]*(?P<function>[^\n]{2,80})"));
/// Words (folded) that start a clause, never a function: `, joignable au …`, `, qui …`.
const NOT_FUNCTION_START: &str = concat!(
    "a actuellement adresse apres au aux avant avec car ce cette comme courriel dans ",
    "de depuis des disponible dont du e-mail elle email en est et gsm il je ",
    "joignable jusqu'au mail mais ma merci mes mon n'hesitez nous on ou par pendant ",
    "pour qu'elle qu'il que qui sa selon sera ses son tel tel. voici vous",
);
/// Words (folded) before a function that are not part of it: `, notre nouvelle coordinatrice`.
const FUNCTION_DETERMINERS: &str =
    "notre votre la le les une un nouvelle nouveau nouvel future futur actuelle actuel";
/// Words (folded) where a function stops: `coordinatrice environnement joignable au …`.
const FUNCTION_ENDS: &str = concat!(
    "joignable joignables qui que dont disponible accessible contactable au aux a ",
    "via par tel tel. gsm email e-mail mail courriel",
);

/// Where a name is mentioned and how surely it is the successor's.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mention {
    /// Where the phrase or title that introduces the name starts.
    start: usize,
    /// The name itself.
    name: Range<usize>,
    /// Introduced by a title (so a single word is a last name).
    titled: bool,
    /// [`ANNOUNCED`] or [`NEAR_SUCCESSION_WORDS`]: the stronger mention wins.
    strength: u8,
    /// Where the mention ends: after the verb in « Julie Martin qui reprend mon rôle ».
    end: usize,
}

/// The part of the text where the successor's email and phone may be: from the start of
/// the mention's sentence to the end of its paragraph (bounded).
#[derive(Debug, Clone)]
struct Reach {
    /// Start of the sentence that mentions the successor.
    from: usize,
    /// End of the paragraph (or where the sender signs, or [`DETAILS_REACH`] bytes on).
    to: usize,
    /// The successor's name (or address), from which distances are measured.
    anchor: Range<usize>,
}

impl Reach {
    /// How far `span` is from the anchor, if it is within reach. Things after the name
    /// are nearer than things as far before it: « Mme Martin, joignable au 081… ».
    fn distance(&self, span: &Range<usize>) -> Option<usize> {
        if span.start < self.from || span.end > self.to {
            None
        } else if span.start >= self.anchor.end {
            Some(span.start - self.anchor.end)
        } else if span.end <= self.anchor.start {
            Some((self.anchor.start - span.end) * 2)
        } else {
            None
        }
    }

    /// The value found nearest the anchor.
    fn nearest(&self, found: &[(Range<usize>, String)]) -> Option<String> {
        found
            .iter()
            .filter_map(|(span, value)| self.distance(span).map(|d| (d, value)))
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, value)| value.clone())
    }
}

/// The addresses (the sender's left out) and phone numbers of a text, with where each is.
#[derive(Debug, Default)]
struct Found {
    emails: Vec<(Range<usize>, String)>,
    phones: Vec<(Range<usize>, String)>,
}

impl Found {
    /// Every address (but the sender's) and phone number of `text`.
    fn in_text(text: &str, sender: Option<&str>) -> Found {
        Found {
            emails: emails_in(text)
                .into_iter()
                .filter(|(_, email)| Some(email.as_str()) != sender)
                .collect(),
            phones: phones_in(text),
        }
    }
}

/// A line holding only a name (`Jean Dupont`, `M. Jean DUPONT`).
pub(super) static NAME_LINE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(&format!(
        r"^[ ]*(?:{TITLE}[ ]+)?(?P<name>{name})[ ]*$",
        name = name_pattern()
    ))
});

/// Where the sender signs, on a line of its own between the end of the successor's line
/// and `to`: a signature without a sign-off before it (« Jean Dupont » for
/// `jean.dupont@…`), whose phone is not the successor's.
fn senders_name_line(text: &str, after: usize, to: usize, sender: Option<&str>) -> Option<usize> {
    sender?;
    let next_line = after + text.get(after..to)?.find('\n')? + 1;
    let mut offset = next_line;
    for line in text.get(next_line..to)?.split('\n') {
        let name = NAME_LINE
            .captures(line)
            .and_then(|found| found.name("name"))
            .map(|name| split_name(name.as_str(), Lone::Last));
        if name.is_some_and(|name| is_sender(&name, sender)) {
            return Some(offset);
        }
        offset += line.len() + 1;
    }
    None
}

/// The successor a sentence names, if one does.
pub(super) fn read_prose(text: &str, sender: Option<&str>) -> Option<ContactDetails> {
    let found = Found::in_text(text, sender);
    match best_mention(text, sender) {
        Some((mention, name)) => Some(details_around(text, &mention, name, sender, &found)),
        None => address_in_succession_sentence(text, &found),
    }
}

/// The successor an answer names (`Voici : Élise Vandevelde (…), elise.vandevelde@…`), for
/// a reply to a request for the new contact: the name opens a line of the reply.
pub(super) fn read_answer(text: &str, sender: Option<&str>) -> Option<ContactDetails> {
    let found = Found::in_text(text, sender);
    let answer = ANSWER.captures(text)?;
    let (all, name) = (answer.get(0)?, answer.name("name")?);
    let titled = answer.name("title").is_some();
    let person = split_name(name.as_str(), if titled { Lone::Last } else { Lone::First });
    if person == PersonName::default() || is_sender(&person, sender) {
        return None;
    }
    let mention = Mention {
        start: all.start(),
        name: name.range(),
        titled,
        strength: ANNOUNCED,
        end: all.end(),
    };
    Some(details_around(text, &mention, person, sender, &found))
}

/// The surest mention of someone who is not the sender, outside the greeting.
fn best_mention(text: &str, sender: Option<&str>) -> Option<(Mention, PersonName)> {
    let greeting = greeting_end(text);
    mentions(text)
        .into_iter()
        .filter(|m| m.name.start >= greeting && !followed_by_colon(text, m.name.end))
        .filter_map(|m| {
            let lone = if m.titled { Lone::Last } else { Lone::First };
            let name = split_name(text.get(m.name.clone())?, lone);
            let someone = name != PersonName::default()
                && !is_sender(&name, sender)
                && !names_a_unit(text.get(m.name.clone())?);
            someone.then_some((m, name))
        })
        .max_by_key(|(m, _)| (m.strength, Reverse(m.start)))
}

/// Whether a capitalised « name » is a department (`Service Environnement`, `Cellule
/// Énergie`): no person to record, whose words would be taken for a first and last name.
fn names_a_unit(name: &str) -> bool {
    name.split_whitespace()
        .any(|word| is_one_of(UNIT_WORDS, &fold(word)))
}

/// Every mention of a name that may be the successor's.
fn mentions(text: &str) -> Vec<Mention> {
    let mut found = Vec::new();
    for announcing in [&*NAME_AFTER_PHRASE, &*NAME_BEFORE_VERB] {
        for caps in announcing.captures_iter(text).take(MAX_CANDIDATES) {
            if let (Some(all), Some(name)) = (caps.get(0), caps.name("name")) {
                found.push(Mention {
                    start: all.start(),
                    name: name.range(),
                    titled: caps.name("title").is_some(),
                    strength: ANNOUNCED,
                    end: all.end(),
                });
            }
        }
    }
    for caps in TITLED_NAME.captures_iter(text).take(MAX_CANDIDATES) {
        if let (Some(title), Some(name)) = (caps.name("title"), caps.name("name")) {
            if titled_successor(text, title.start(), &name.range()) {
                found.push(Mention {
                    start: title.start(),
                    name: name.range(),
                    titled: true,
                    strength: NEAR_SUCCESSION_WORDS,
                    end: name.end(),
                });
            }
        }
    }
    found
}

/// Whether a titled name is likely the successor: words about succession nearby, and
/// nothing saying this is the person who leaves (« je remplace M. X », « Mme X quitte »).
fn titled_successor(text: &str, title_start: usize, name: &Range<usize>) -> bool {
    let paragraph = paragraph_start(text, title_start)..paragraph_end(text, name.end);
    let context = folded_between(
        text,
        title_start
            .saturating_sub(CONTEXT_BEFORE)
            .max(paragraph.start),
        (name.end + CONTEXT_AFTER).min(paragraph.end),
    );
    let before = folded_between(
        text,
        title_start
            .saturating_sub(FORMER_REACH)
            .max(paragraph.start),
        title_start,
    );
    let after = folded_between(
        text,
        name.end,
        (name.end + DEPARTURE_REACH).min(sentence_end(text, name.end)),
    );
    let leaves = DEPARTURE.find(&after).is_some_and(|departure| {
        TAKING_OVER
            .find(&after)
            .is_none_or(|taking_over| departure.start() < taking_over.start())
    });
    SUCCESSION_WORDS.is_match(&context) && !FORMER_BEFORE.is_match(&before) && !leaves
}

/// The successor's details around the mention of their name.
fn details_around(
    text: &str,
    mention: &Mention,
    name: PersonName,
    sender: Option<&str>,
    found: &Found,
) -> ContactDetails {
    let Found { emails, phones } = found;
    let paragraph_from = paragraph_start(text, mention.start);
    let paragraph_to = paragraph_end(text, mention.name.end).min(mention.name.end + DETAILS_REACH);
    let paragraph_to = next_paragraph_about(text, paragraph_to, &name).unwrap_or(paragraph_to);
    let reach = Reach {
        from: sentence_start(text, paragraph_from, mention.start),
        to: senders_name_line(text, mention.name.end, paragraph_to, sender).unwrap_or(paragraph_to),
        anchor: mention.name.clone(),
    };
    // An address made of the name beats a nearer one (a secretariat, a colleague).
    let own_addresses: Vec<_> = emails
        .iter()
        .filter(|(_, email)| address_fits_name(email, &name))
        .cloned()
        .collect();
    let mut details = labels_after_name(text, mention.name.end);
    details.fill_from(ContactDetails {
        email: reach
            .nearest(&own_addresses)
            .or_else(|| reach.nearest(emails)),
        phone: reach.nearest(phones),
        function: function_after(text, mention.name.end)
            .or_else(|| bracketed_function(text, mention.end))
            .or_else(|| function_in_sentence(text, &reach, &name)),
        last_name: name.last,
        first_name: name.first,
    });
    details
}

/// Where the paragraph after the one ending at `end` ends, when it goes on about the
/// successor (« Marie est infirmière-cheffe… », « Vous pourrez le joindre : »): their
/// details are often written there.
fn next_paragraph_about(text: &str, end: usize, name: &PersonName) -> Option<usize> {
    let rest = text.get(end..)?;
    let start = end + (rest.len() - rest.trim_start().len());
    if start == end || start >= text.len() {
        return None;
    }
    let opening = folded_between(text, start, start + 80);
    let names_them = [&name.first, &name.last]
        .into_iter()
        .flatten()
        .any(|part| opening.starts_with(&fold(part)));
    (names_them || ABOUT_THEM.is_match(&opening))
        .then(|| paragraph_end(text, start).min(start + DETAILS_REACH))
}

/// Labelled fields written after the name on its line (`M. Olivier Dubois – Fonction :
/// Responsable de la cellule énergie – GSM : …`): they are the successor's.
fn labels_after_name(text: &str, name_end: usize) -> ContactDetails {
    let Some(after) = text.get(name_end..) else {
        return ContactDetails::default();
    };
    let line = after.split('\n').next().unwrap_or_default();
    let Some(separator) = SEPARATOR_BEFORE_LABEL.find(line) else {
        return ContactDetails::default();
    };
    line.get(separator.end()..)
        .map(details_of_line)
        .unwrap_or_default()
}

/// A later sentence within reach saying what the successor is (`Isabelle est notre
/// nouvelle directrice…`, `Elle est …`), as their function.
fn function_in_sentence(text: &str, reach: &Reach, name: &PersonName) -> Option<String> {
    let from = floor_boundary(text, reach.anchor.end);
    let within = text.get(from..floor_boundary(text, reach.to.max(from)))?;
    FUNCTION_SENTENCE
        .captures_iter(within)
        .take(MAX_CANDIDATES)
        .find_map(|found| {
            let subject = fold(found.name("subject")?.as_str());
            let about_them = subject == "il"
                || subject == "elle"
                || [&name.first, &name.last]
                    .into_iter()
                    .flatten()
                    .any(|part| subject == fold(part))
                || joined_name(name).is_some_and(|full| subject == fold(&full));
            let function = found.name("function")?.as_str();
            // `Elle est joignable au …`, `Elle sera notre point de contact`: no function.
            let succession = ALLIANCE_ROLE.is_match(&fold(function));
            // `Elle est ravie de …` is no function: a determiner or a function's head word
            // must open it (`notre nouvelle directrice`, `infirmière-cheffe du service`).
            let first = fold(function.split_whitespace().next()?);
            let head = first.split('-').next().unwrap_or_default();
            let reads_as_function = is_one_of(FUNCTION_DETERMINERS, &first)
                || ROLE_WORD.is_match(head)
                || FUNCTION_HEAD.is_match(head);
            about_them
                .then(|| as_function(function))
                .flatten()
                .filter(|_| !succession && reads_as_function)
        })
}

/// `first last`, when both are known.
fn joined_name(name: &PersonName) -> Option<String> {
    Some(format!(
        "{} {}",
        name.first.as_deref()?,
        name.last.as_deref()?
    ))
}

/// When no name is given: an address in a sentence about the succession
/// (« le nouveau point de contact : secretariat@… »), and a phone in that sentence.
fn address_in_succession_sentence(text: &str, found: &Found) -> Option<ContactDetails> {
    let Found { emails, phones } = found;
    let greeting = greeting_end(text);
    emails
        .iter()
        .take(MAX_CANDIDATES)
        .find_map(|(span, email)| {
            let from =
                sentence_start(text, paragraph_start(text, span.start), span.start).max(greeting);
            let to = sentence_end(text, span.end);
            if !SUCCESSION_SENTENCE.is_match(&folded_between(text, from, to)) {
                return None;
            }
            let reach = Reach {
                from,
                to,
                anchor: span.clone(),
            };
            Some(ContactDetails {
                email: Some(email.clone()),
                phone: reach.nearest(phones),
                ..ContactDetails::default()
            })
        })
}

/// Whether an address is made of the person's name (`julie.martin@…`, `jmartin@…`).
fn address_fits_name(email: &str, name: &PersonName) -> bool {
    let local = key(email.split('@').next().unwrap_or_default());
    [&name.last, &name.first]
        .into_iter()
        .flatten()
        .map(|part| key(part))
        .any(|part| part.len() >= 2 && local.contains(&part))
}

/// The function written right after a name: `, coordinatrice environnement,` or
/// `(coordinatrice environnement)`, skipping a bracket of contact details first.
fn function_after(text: &str, name_end: usize) -> Option<String> {
    let mut after = text.get(name_end..)?;
    // `(coordinatrice) <julie.martin@…>`: at most two brackets, either kind.
    for _ in 0..2 {
        let Some(bracket) = BRACKETED.captures(after) else {
            break;
        };
        if let Some(function) = bracket.name("inner").and_then(|m| as_function(m.as_str())) {
            return Some(function);
        }
        after = after.get(bracket.get(0)?.end()..)?;
    }
    if let Some(found) = IN_CAPACITY_OF.captures(after) {
        return as_function(found.name("function")?.as_str());
    }
    if let Some(found) = FUNCTION_AFTER.captures(after) {
        return as_function(found.name("function")?.as_str());
    }
    // A name alone on its line, its function on the next: `M. Luc Renard\nResponsable qualité`.
    let below = FUNCTION_BELOW.captures(after)?.name("function")?.as_str();
    let words: Vec<&str> = below.split_whitespace().collect();
    // `Jean Dupont` under the name is a signature, not a function.
    let reads_as_function = words.first().is_some_and(|w| ROLE_WORD.is_match(&fold(w)))
        || words
            .iter()
            .any(|w| w.chars().next().is_some_and(char::is_lowercase));
    if below.contains(':') || !reads_as_function {
        return None;
    }
    as_function(below)
}

/// A function in brackets right after the phrase that announces the successor: « c'est
/// Julie Martin qui reprend mon rôle (gestionnaire environnement) ».
fn bracketed_function(text: &str, at: usize) -> Option<String> {
    let bracket = BRACKETED.captures(text.get(at..)?)?;
    as_function(bracket.name("inner")?.as_str())
}

/// A phrase as a function, if it reads as one: cut where a clause starts (« joignable »,
/// « au »…), then no digits or address, not a clause, at most eight words.
fn as_function(phrase: &str) -> Option<String> {
    let words: Vec<&str> = phrase
        .split_whitespace()
        .skip_while(|w| is_one_of(FUNCTION_DETERMINERS, &fold(w)))
        .take_while(|w| !is_one_of(FUNCTION_ENDS, &fold(w)))
        .collect();
    // Only the words kept count: `responsable énergie à dater du 4 janvier` is a function.
    let has_details = words
        .iter()
        .any(|w| w.contains('@') || w.chars().any(|c| c.is_ascii_digit()));
    let first = fold(words.first()?);
    let acceptable = !has_details
        && !is_one_of(NOT_FUNCTION_START, &first)
        && words.len() <= 8
        && words.iter().any(|w| w.chars().any(char::is_alphabetic));
    acceptable.then(|| words.join(" "))
}

/// Where the greeting of the first line ends (0 when there is none): « Bonjour Madame
/// Dupont, » names the alliance's coordinator, not the successor.
fn greeting_end(text: &str) -> usize {
    let Some((start, line)) = lines_at(text)
        .into_iter()
        .find(|(_, line)| !line.trim().is_empty())
    else {
        return 0;
    };
    let Some(greeting) = GREETING.captures(line) else {
        return 0;
    };
    let words = line.split_whitespace().count();
    let comma = line.find([',', '!', ':']);
    let end = if greeting.name("plain").is_some() {
        // `Bonjour Madame Dupont, je …`: up to the comma; `Bonjour Madame Dupont`: the line.
        match comma {
            Some(at) => at + 1,
            None if words <= 6 => line.len(),
            None => 0,
        }
    } else {
        // `Madame Dupont,` is a greeting; `Madame Julie Martin sera …` is not.
        let ends_line = comma.is_some_and(|at| {
            line.get(at + 1..)
                .is_some_and(|rest| rest.trim().is_empty())
        });
        if (ends_line && words <= 5) || (comma.is_none() && words <= 3) {
            line.len()
        } else {
            0
        }
    };
    start + end
}

/// Whether a colon follows (so the « name » was a label: `Nom : …`).
fn followed_by_colon(text: &str, at: usize) -> bool {
    text.get(at..)
        .is_some_and(|rest| rest.trim_start_matches(' ').starts_with(':'))
}

/// Where the paragraph holding `at` starts, or [`LOOK_AROUND`] bytes before `at`.
fn paragraph_start(text: &str, at: usize) -> usize {
    let from = floor_boundary(text, at.saturating_sub(LOOK_AROUND));
    text.get(from..at)
        .and_then(|before| before.rfind("\n\n"))
        .map_or(from, |blank| from + blank + 2)
}

/// Where the paragraph holding `at` ends, or [`LOOK_AROUND`] bytes after `at`.
fn paragraph_end(text: &str, at: usize) -> usize {
    let to = floor_boundary(text, at.saturating_add(LOOK_AROUND));
    text.get(at..to)
        .and_then(|after| after.find("\n\n"))
        .map_or(to, |blank| at + blank)
}

/// Where the sentence holding `at` starts, looking no further back than `from`.
fn sentence_start(text: &str, from: usize, at: usize) -> usize {
    let Some(before) = text.get(from..at) else {
        return at;
    };
    let mut start = from;
    let mut chars = before.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends_sentence = matches!(c, '.' | '!' | '?')
            && chars.peek().is_some_and(|&(_, next)| next.is_whitespace());
        if ends_sentence {
            start = from + i + 1;
        }
    }
    start
}

/// Where the sentence holding `at` ends (its full stop, or its paragraph's end).
fn sentence_end(text: &str, at: usize) -> usize {
    let paragraph = paragraph_end(text, at);
    let Some(after) = text.get(at..paragraph) else {
        return paragraph;
    };
    let mut chars = after.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends_sentence = matches!(c, '.' | '!' | '?')
            && chars.peek().is_none_or(|&(_, next)| next.is_whitespace());
        if ends_sentence {
            return at + i + 1;
        }
    }
    paragraph
}

/// The folded text between two byte offsets, each moved back to a character boundary.
fn folded_between(text: &str, from: usize, to: usize) -> String {
    let from = floor_boundary(text, from);
    let to = floor_boundary(text, to);
    text.get(from..to.max(from)).map(fold).unwrap_or_default()
}

/// `at`, moved back to the nearest character boundary of `text`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}
