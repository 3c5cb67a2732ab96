//! The reader's unit tests: each a sentence about one way people write.

use std::sync::LazyLock;

use regex::Regex;

use super::addresses::{EMAIL, PHONE_RUN};
use super::boundaries::{
    ATTRIBUTION_END, ATTRIBUTION_START, FORMAL_CLOSING, FORWARD_MARKER, FORWARD_WORDS, HEADER_FROM,
    HEADER_SENT, HEADER_SENT_INLINE, ORIGINAL_MESSAGE, REQUEST_FOR_CONTACT, SIGN_OFF,
    SIGN_OFF_INLINE,
};
use super::labels::{GLUED_LABEL, INLINE_LABEL, LINE_LABEL, NEW_WORDS, OLD_WORDS};
use super::names::ROLE_WORD;
use super::prose::{
    ABOUT_THEM, ALLIANCE_ROLE, ANSWER, BRACKETED, DEPARTURE, FORMER_BEFORE, FUNCTION_AFTER,
    FUNCTION_BELOW, FUNCTION_HEAD, FUNCTION_SENTENCE, GREETING, IN_CAPACITY_OF, NAME_AFTER_PHRASE,
    NAME_BEFORE_VERB, NAME_LINE, SEPARATOR_BEFORE_LABEL, SUCCESSION_SENTENCE, SUCCESSION_WORDS,
    TAKING_OVER, TITLED_NAME,
};
use super::{read_new_contact, ContactDetails, MAX_BODY_CHARS};

/// The departing contact who writes most of these messages.
pub(super) const JEAN: Option<&str> = Some("jean.dupont@chr-hautemeuse.be");

/// Details from five strings, an empty one standing for `None`.
pub(super) fn details(
    last: &str,
    first: &str,
    function: &str,
    email: &str,
    phone: &str,
) -> ContactDetails {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    ContactDetails {
        last_name: some(last),
        first_name: some(first),
        function: some(function),
        email: some(email),
        phone: some(phone),
    }
}

/// (first name, last name) of what `body` announces.
pub(super) fn name_in(body: &str, sender: Option<&str>) -> (Option<String>, Option<String>) {
    let found = read_new_contact(body, sender);
    (found.first_name, found.last_name)
}

/// (first name, last name) as expected.
pub(super) fn named(first: &str, last: &str) -> (Option<String>, Option<String>) {
    (Some(first.to_string()), Some(last.to_string()))
}

#[test]
fn a_labelled_list_gives_all_five_details() {
    let body = "Bonjour,\n\n\
                Voici les coordonnées du nouveau point de contact :\n\
                Nom : Martin\n\
                Prénom : Julie\n\
                Fonction : Coordinatrice environnement\n\
                Email : julie.martin@chr-hautemeuse.be\n\
                Téléphone : 081 23 45 67\n\n\
                Cordialement,\n\
                Jean Dupont\n";
    let found = read_new_contact(body, JEAN);
    let expected = details(
        "Martin",
        "Julie",
        "Coordinatrice environnement",
        "julie.martin@chr-hautemeuse.be",
        "081 23 45 67",
    );
    assert_eq!(found, expected);
    assert!(found.is_complete());
}

#[test]
fn labels_take_bullets_any_case_no_accents_and_outlook_spaces() {
    let body = "Le nouveau contact :\n\
                • PRENOM\u{a0}: Julie\n\
                - nom\u{202f}:Martin\n\
                * Fonction\t: Coordinatrice environnement\n\
                - Adresse e-mail : Julie.Martin@CHR-HauteMeuse.be\n\
                - Telephone: +32 81 23 45 67\n";
    let expected = details(
        "Martin",
        "Julie",
        "Coordinatrice environnement",
        "julie.martin@chr-hautemeuse.be",
        "+32 81 23 45 67",
    );
    assert_eq!(read_new_contact(body, None), expected);
}

#[test]
fn every_email_and_phone_label_is_recognised() {
    let email_labels = [
        "Email :",
        "E-mail :",
        "Courriel :",
        "Adresse e-mail :",
        "Mail :",
    ];
    let phone_labels = ["Téléphone :", "Tél. :", "Tel:", "GSM :", "Gsm:"];
    for email_label in email_labels {
        for phone_label in phone_labels {
            let body = format!(
                "Nom : Martin\nPrénom : Julie\n\
                 {email_label} julie.martin@exemple.be\n\
                 {phone_label} 0470 12 34 56\n"
            );
            let found = read_new_contact(&body, None);
            let email = found.email.as_deref();
            assert_eq!(email, Some("julie.martin@exemple.be"), "{email_label}");
            assert_eq!(
                found.phone.as_deref(),
                Some("0470 12 34 56"),
                "{phone_label}"
            );
        }
    }
}

#[test]
fn a_full_name_label_reads_first_name_then_last_name() {
    assert_eq!(
        name_in("Nom et prénom : Julie Martin\n", None),
        named("Julie", "Martin")
    );
}

#[test]
fn a_surname_in_capitals_is_the_last_name_wherever_it_stands() {
    assert_eq!(
        name_in("Nom, prénom : MARTIN Julie\n", None),
        named("Julie", "MARTIN")
    );
    let first = "Mon successeur sera M. DUMONT Pierre.";
    assert_eq!(name_in(first, None), named("Pierre", "DUMONT"));
    let last = "Mon successeur sera M. Pierre DUMONT.";
    assert_eq!(name_in(last, None), named("Pierre", "DUMONT"));
}

#[test]
fn labels_flattened_onto_one_line_or_with_the_value_below_are_read() {
    let table = "Nom : Martin | Prénom : Julie | E-mail : julie.martin@exemple.be \
                 | Tél. : 081/23.45.67\n";
    let expected = details(
        "Martin",
        "Julie",
        "",
        "julie.martin@exemple.be",
        "081/23.45.67",
    );
    assert_eq!(read_new_contact(table, None), expected);

    let below = "Nom :\nMartin\nPrénom :\nJulie\n";
    assert_eq!(name_in(below, None), named("Julie", "Martin"));
}

#[test]
fn prose_naming_the_successor_after_a_title_is_read() {
    let body = "Bonjour, je quitte mes fonctions fin du mois. Ma successeure comme point \
                de contact sera Mme Julie Martin, coordinatrice environnement, joignable \
                au 081 23 45 67 ou par mail à julie.martin@chr-hautemeuse.be.";
    let expected = details(
        "Martin",
        "Julie",
        "coordinatrice environnement",
        "julie.martin@chr-hautemeuse.be",
        "081 23 45 67",
    );
    assert_eq!(read_new_contact(body, JEAN), expected);
}

#[test]
fn prose_with_details_in_brackets_and_the_function_after_is_read() {
    let body = "À partir du 1er décembre, le point de contact pour notre institution est \
                Monsieur Pierre Dumont (pierre.dumont@exemple.be, +32 470 12 34 56), \
                responsable qualité.";
    let expected = details(
        "Dumont",
        "Pierre",
        "responsable qualité",
        "pierre.dumont@exemple.be",
        "+32 470 12 34 56",
    );
    assert_eq!(read_new_contact(body, None), expected);
}

#[test]
fn prose_takes_the_name_after_each_announcing_phrase() {
    let bodies = [
        "Le nouveau point de contact est Julie Martin.",
        "Je serai remplacée par Julie Martin dès lundi.",
        "Je serai remplacé(e) par Mme Julie Martin.",
        "Je serai remplacée par ma collègue Julie Martin.",
        "La personne de contact sera désormais Dr Julie Martin.",
        "Julie Martin sera notre nouvelle personne de contact.",
        "Madame Julie Martin me remplacera à partir du 1er décembre.",
    ];
    for body in bodies {
        assert_eq!(name_in(body, JEAN), named("Julie", "Martin"), "{body}");
    }
}

#[test]
fn compound_names_and_particles_are_kept_whole() {
    let body = "Mon successeur sera M. Jean-Marc Van den Berghe.";
    assert_eq!(name_in(body, None), named("Jean-Marc", "Van den Berghe"));
    let body = "Ma remplaçante est Mme Marie De Smet, directrice.";
    let expected = details("De Smet", "Marie", "directrice", "", "");
    assert_eq!(read_new_contact(body, None), expected);
    let body = "Nom : Van den Berghe Marie\n";
    assert_eq!(name_in(body, None), named("Marie", "Van den Berghe"));
}

#[test]
fn a_function_on_the_line_below_the_name_is_read() {
    let body = "Veuillez noter que notre nouveau point de contact est :\n\
                M. Luc Renard\n\
                Responsable qualité\n\
                luc.renard@exemple.be\n\
                +32 (0)81 55 66 77\n";
    let expected = details(
        "Renard",
        "Luc",
        "Responsable qualité",
        "luc.renard@exemple.be",
        "+32 (0)81 55 66 77",
    );
    assert_eq!(read_new_contact(body, JEAN), expected);
}

#[test]
fn a_reply_above_quoted_text_ignores_the_quoted_signature() {
    let body = "Bonjour,\n\nLe nouveau point de contact est M. Luc Renard.\n\n\
                ________________________________\n\
                De : Secrétariat ASeT-W <contact@aset-w.example>\n\
                Envoyé : lundi 3 novembre 2026 10:12\n\
                À : Jean Dupont <jean.dupont@chr-hautemeuse.be>\n\
                Objet : RE: ASeT-W — CHR Haute-Meuse — point de contact\n\n\
                Pourriez-vous nous communiquer les coordonnées du nouveau contact ?\n\
                Anne Lambert, coordinatrice\n\
                Tél. : 02 123 45 67\n\
                anne.lambert@aset-w.example\n";
    assert_eq!(
        read_new_contact(body, JEAN),
        details("Renard", "Luc", "", "", "")
    );
}

#[test]
fn gmail_thunderbird_and_english_quote_headers_end_the_message() {
    let headers = [
        "Le lun. 3 nov. 2026 à 10:12, Anne Lambert <anne.lambert@aset-w.example> a\nécrit :",
        "On Mon, Nov 3, 2026 at 10:12 AM Anne Lambert <anne.lambert@aset-w.example> wrote:",
        "-----Original Message-----",
        "-----Message d'origine-----",
        "From: Anne Lambert <anne.lambert@aset-w.example> Sent: Monday, 3 November 2026",
        "> Nouveau point de contact ?",
    ];
    for header in headers {
        let body = format!(
            "Mon successeur sera M. Luc Renard.\n\n{header}\n\
             Nouveau point de contact : Mme Anne Lambert\n\
             E-mail : anne.lambert@aset-w.example\n\
             Tél : 02 123 45 67\n"
        );
        let expected = details("Renard", "Luc", "", "", "");
        assert_eq!(read_new_contact(&body, JEAN), expected, "{header}");
    }
}

#[test]
fn the_senders_signature_is_not_taken_for_the_successor() {
    let body = "Bonjour,\n\n\
                Je quitte mes fonctions fin novembre. Ma successeure sera Mme Julie Martin \
                (julie.martin@chr-hautemeuse.be).\n\n\
                Bien à vous,\n\n\
                Jean Dupont\n\
                Directeur administratif\n\
                CHR Haute-Meuse\n\
                Tél. : 081 11 22 33\n\
                jean.dupont@chr-hautemeuse.be\n";
    let expected = details("Martin", "Julie", "", "julie.martin@chr-hautemeuse.be", "");
    assert_eq!(read_new_contact(body, JEAN), expected);

    let dashes = "Ma successeure sera Mme Julie Martin.\n-- \nJean Dupont\nGSM : 0470 99 88 77\n";
    assert_eq!(
        read_new_contact(dashes, JEAN),
        details("Martin", "Julie", "", "", "")
    );
}

#[test]
fn a_signature_without_sign_off_is_known_by_the_senders_name() {
    let body = "Ma successeure sera Mme Julie Martin.\nJean Dupont\nTél. 081 11 22 33\n";
    assert_eq!(
        read_new_contact(body, JEAN),
        details("Martin", "Julie", "", "", "")
    );
}

#[test]
fn a_labelled_list_after_the_sign_off_is_not_the_successor() {
    let body = "Bonjour,\nJe quitte mes fonctions au 30 novembre.\nCordialement,\n\n\
                Nom : Dupont\nPrénom : Jean\nFonction : Directeur\nTél. : 081 11 22 33\n";
    assert_eq!(read_new_contact(body, JEAN), ContactDetails::default());
}

#[test]
fn a_body_without_sign_off_is_read_whole() {
    let body = "Bonjour,\nVoici le nouveau point de contact :\nNom : Martin\nPrénom : Julie\n";
    assert_eq!(name_in(body, JEAN), named("Julie", "Martin"));
}

#[test]
fn a_successor_not_yet_appointed_names_no_one() {
    let body = "Bonjour,\n\n\
                Je quitte mes fonctions, mon remplaçant n'est pas encore désigné, nous vous \
                tiendrons informés.\n\n\
                Cordialement,\n\
                Jean Dupont\n\
                Tél. : 081 11 22 33\n\
                jean.dupont@chr-hautemeuse.be\n";
    let found = read_new_contact(body, JEAN);
    assert!(!found.names_someone(), "{found:?}");
    assert_eq!(found, ContactDetails::default());
}

#[test]
fn the_senders_own_address_is_never_returned() {
    let body = "Je suis la nouvelle personne de contact.\n\
                Nom : Martin\nPrénom : Julie\nEmail : Julie.Martin@exemple.be\n";
    let found = read_new_contact(body, Some("julie.martin@exemple.be"));
    assert_eq!(found, details("Martin", "Julie", "", "", ""));

    let body = "Mon successeur sera M. Luc Renard, en copie (jean.dupont@chr-hautemeuse.be).";
    assert_eq!(read_new_contact(body, JEAN).email, None);
}

#[test]
fn emails_are_lower_cased_and_stripped_of_mailto_and_brackets() {
    let written = [
        "<Julie.Martin@CHR-HauteMeuse.be>",
        "mailto:Julie.Martin@CHR-HauteMeuse.be",
        "Julie.Martin@CHR-HauteMeuse.be<mailto:Julie.Martin@CHR-HauteMeuse.be>",
        "[mailto:julie.martin@chr-hautemeuse.be]",
    ];
    for address in written {
        let found = read_new_contact(&format!("Courriel : {address}\n"), None);
        let email = found.email.as_deref();
        assert_eq!(email, Some("julie.martin@chr-hautemeuse.be"), "{address}");
    }
    let invalid = [
        "julie..martin@exemple.be",
        ".julie@exemple.be",
        "julie@exemple",
        "julie@",
    ];
    for address in invalid {
        let found = read_new_contact(&format!("Email : {address}\n"), None);
        assert_eq!(found.email, None, "{address}");
    }
}

#[test]
fn belgian_phones_are_kept_as_written_with_single_spaces() {
    let accepted = [
        ("+32 81  12 34 56", "+32 81 12 34 56"),
        ("081/12.34.56", "081/12.34.56"),
        ("0470 12 34 56", "0470 12 34 56"),
        ("0032 470 12 34 56", "0032 470 12 34 56"),
        ("+32 (0)81 12 34 56", "+32 (0)81 12 34 56"),
        ("02\u{a0}123\u{a0}45\u{a0}67", "02 123 45 67"),
        ("0470-12-34-56 (bureau)", "0470-12-34-56"),
        ("081 23 45 67 - 0470 12 34 56", "081 23 45 67"),
    ];
    for (written, kept) in accepted {
        let found = read_new_contact(&format!("Nom : Martin\nTél. : {written}\n"), None);
        assert_eq!(found.phone.as_deref(), Some(kept), "{written}");
    }
    for rejected in ["12 34 56", "03/11/2026", "0470 12 34", "BE0412.345.678"] {
        let found = read_new_contact(&format!("Nom : Martin\nTél. : {rejected}\n"), None);
        assert_eq!(found.phone, None, "{rejected}");
    }
}

#[test]
fn the_phone_nearest_the_successor_is_taken() {
    let body = "Je reste joignable au 081 11 22 33 jusqu'au 30 novembre. Ensuite, le point \
                de contact sera Mme Julie Martin, joignable au 0470 12 34 56, ou l'accueil \
                au 081 00 00 00.";
    let found = read_new_contact(body, JEAN);
    assert_eq!(found.phone.as_deref(), Some("0470 12 34 56"));
}

#[test]
fn the_new_contacts_block_wins_over_the_old_one() {
    let body = "Ancien point de contact :\nNom : Dupont\nPrénom : Jean\n\n\
                Nouveau point de contact :\nNom : Martin\nPrénom : Julie\n\
                GSM : 0470 12 34 56\n";
    let expected = details("Martin", "Julie", "", "", "0470 12 34 56");
    assert_eq!(read_new_contact(body, None), expected);
}

#[test]
fn the_name_in_the_greeting_is_not_the_successor() {
    let body = "Bonjour Madame Lambert,\n\n\
                Je quitte mes fonctions, le point de contact n'est pas encore connu.";
    assert!(!read_new_contact(body, None).names_someone());
}

#[test]
fn a_departing_person_named_with_a_title_is_not_the_successor() {
    let body = "Bonjour Madame Lambert,\n\n\
                Mme Sophie Leroy quitte ses fonctions au 30 novembre. \
                Son remplaçant sera Monsieur Luc Renard.";
    assert_eq!(name_in(body, None), named("Luc", "Renard"));
    let body = "Je remplace M. Luc Renard, parti à la retraite, comme nouveau contact.";
    assert_eq!(name_in(body, None), (None, None));
    let body = "Je suis la nouvelle personne de contact, en remplacement de M. Luc Renard.";
    assert_eq!(name_in(body, None), (None, None));
}

#[test]
fn an_address_in_a_succession_sentence_names_someone() {
    let body = "Le nouveau point de contact est le secrétariat : \
                secretariat@chr-hautemeuse.be (081 23 45 00).\n\n\
                Cordialement,\nJean Dupont";
    let found = read_new_contact(body, JEAN);
    assert!(found.names_someone());
    let expected = details("", "", "", "secretariat@chr-hautemeuse.be", "081 23 45 00");
    assert_eq!(found, expected);
}

#[test]
fn decomposed_accents_and_crlf_line_breaks_are_read() {
    let body = "Pre\u{301}nom : Julie\r\n\
                Nom : Martin\r\n\
                Fonction : Charge\u{301}e de projet\r\n\
                Te\u{301}le\u{301}phone : 081 23 45 67\r\n";
    let expected = details("Martin", "Julie", "Chargée de projet", "", "081 23 45 67");
    assert_eq!(read_new_contact(body, None), expected);
}

#[test]
fn only_the_first_twenty_thousand_characters_are_read() {
    let padding = "é".repeat(MAX_BODY_CHARS);
    let late = format!("{padding}\nNom : Martin\nPrénom : Julie\n");
    assert_eq!(read_new_contact(&late, None), ContactDetails::default());
    let early = format!("Nom : Martin\nPrénom : Julie\n{padding}");
    assert_eq!(name_in(&early, None), named("Julie", "Martin"));
}

#[test]
fn completeness_and_naming_follow_their_definitions() {
    let full = details(
        "Martin",
        "Julie",
        "Coordinatrice",
        "j@exemple.be",
        "081 23 45 67",
    );
    assert!(full.is_complete() && full.names_someone());
    let names_only = details("Martin", "Julie", "", "", "");
    assert!(!names_only.is_complete() && names_only.names_someone());
    assert!(details("", "", "", "julie@exemple.be", "").names_someone());
    assert!(!details("Martin", "", "Coordinatrice", "", "081 23 45 67").names_someone());
}

#[test]
fn every_pattern_compiles() {
    let patterns: &[&LazyLock<Regex>] = &[
        &ORIGINAL_MESSAGE,
        &HEADER_FROM,
        &HEADER_SENT,
        &HEADER_SENT_INLINE,
        &ATTRIBUTION_START,
        &ATTRIBUTION_END,
        &SIGN_OFF,
        &FORMAL_CLOSING,
        &SIGN_OFF_INLINE,
        &LINE_LABEL,
        &INLINE_LABEL,
        &NEW_WORDS,
        &OLD_WORDS,
        &ROLE_WORD,
        &NAME_AFTER_PHRASE,
        &NAME_BEFORE_VERB,
        &TITLED_NAME,
        &NAME_LINE,
        &GREETING,
        &SUCCESSION_WORDS,
        &SUCCESSION_SENTENCE,
        &FORMER_BEFORE,
        &DEPARTURE,
        &TAKING_OVER,
        &BRACKETED,
        &IN_CAPACITY_OF,
        &FUNCTION_SENTENCE,
        &ALLIANCE_ROLE,
        &SEPARATOR_BEFORE_LABEL,
        &ABOUT_THEM,
        &FUNCTION_HEAD,
        &ANSWER,
        &REQUEST_FOR_CONTACT,
        &GLUED_LABEL,
        &FORWARD_MARKER,
        &FORWARD_WORDS,
        &FUNCTION_AFTER,
        &FUNCTION_BELOW,
        &EMAIL,
        &PHONE_RUN,
    ];
    for compiled in patterns {
        assert!(!LazyLock::force(compiled).as_str().is_empty());
    }
}

/// A small deterministic generator, so the odd inputs are the same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(self.0 >> 33).unwrap_or(0) % bound.max(1)
    }
}

#[test]
fn odd_inputs_never_panic() {
    let fixed = [
        String::new(),
        ":".to_string(),
        ":".repeat(10_000),
        "🦀👩‍👩‍👧‍👦\u{301}\u{fe0f}".repeat(50),
        "Nom :".to_string(),
        "Nom : 😀\nPrénom : \u{301}\nTél. : +\nEmail : @\n".to_string(),
        "Mme É\u{301} Ø".to_string(),
        "\r\r\n\n\u{2028}\u{a0}\u{202f}".repeat(100),
        "Le point de contact sera Mme ".repeat(500),
        "0".repeat(5_000) + "@" + &"a.".repeat(3_000),
        "+32 (0)".repeat(1_000),
        "> De : x Envoyé : y\n".repeat(200),
    ];
    for body in &fixed {
        let _ = read_new_contact(body, Some(body));
    }

    // Random bodies assembled from the pieces the reader reacts to.
    let pieces: Vec<&str> = "Nom|Prénom| : |:|\u{a0}|\n|\n\n|Mme |M. |Julie|MARTIN|van |de |é|\
                             \u{301}|😀|@|.|julie.martin@exemple.be|081 23 45 67|+32|(0)|(|)|,|\
                             Cordialement,|-- |> |De : |Envoyé : |a écrit :|sera |\
                             remplacé par |\
                             est |Tél. : |•|\r\n|’|\u{202f}"
        .split('|')
        .collect();
    let mut random = Lcg(0x5eed);
    for _ in 0..500 {
        let length = random.below(40);
        let body: String = (0..length)
            .map(|_| pieces[random.below(pieces.len())])
            .collect();
        let found = read_new_contact(&body, Some("julie.martin@exemple.be"));
        let email = found.email.as_deref();
        assert_ne!(email, Some("julie.martin@exemple.be"), "{body:?}");
    }

    // Every prefix of a real message, cut after each character.
    let real = "Bonjour, mon successeur sera M. Luc Renard (luc.renard@exemple.be, 0470 12 34 56).";
    for (end, _) in real.char_indices() {
        let _ = read_new_contact(real.get(..end).unwrap_or_default(), None);
    }
}

#[test]
fn hostile_bodies_are_read_in_bounded_time() {
    let bodies = [
        "a".repeat(100_000),
        "Mme Julie ".repeat(10_000),
        "Mme Julie Martin, ".repeat(5_000),
        "julie.martin@exemple.be ".repeat(1_000),
        "0 ".repeat(50_000),
        "a@".repeat(50_000),
        "Nom : Tél : ".repeat(10_000),
        format!("Le point de contact {}", "x ".repeat(50_000)),
    ];
    let started = std::time::Instant::now();
    for body in &bodies {
        let _ = read_new_contact(body, None);
    }
    // Generous for a debug build on a slow machine; quadratic work would take minutes.
    let elapsed = started.elapsed();
    assert!(elapsed < std::time::Duration::from_secs(20), "{elapsed:?}");
}
