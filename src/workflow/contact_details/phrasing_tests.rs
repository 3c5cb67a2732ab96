//! The reader's unit tests for the phrasings of issue 17, situation 2: prose from phones,
//! forwards, answers under a quoted request, flattened tables, and what must not be read.

use super::tests::{details, name_in, named, JEAN};
use super::{read_new_contact, ContactDetails};

#[test]
fn a_name_before_qui_and_a_taking_over_verb_is_the_successor() {
    // Issue 17, situation 2: three lines from a phone, no labels, a first name as signature.
    let body = "Bonjour, à partir du 1er janvier c'est Julie Martin (responsable \
                environnement) qui reprend le rôle de point de contact pour le CHR, ses \
                coordonnées : julie.martin@chr-hautemeuse.be et 0470 12 34 56\n\
                Merci et bonne soirée,\nJean\n\nEnvoyé de mon iPhone\n";
    let expected = details(
        "Martin",
        "Julie",
        "responsable environnement",
        "julie.martin@chr-hautemeuse.be",
        "0470 12 34 56",
    );
    assert_eq!(read_new_contact(body, JEAN), expected);
    let bodies = [
        "C'est Julie Martin qui reprend le flambeau dès janvier.",
        "C'est ma collègue Julie Martin, chargée de mission, qui prend le relais.",
        "Julie Martin reprendra mon rôle de point de contact.",
        "Madame Julie Martin, conseillère, est désignée comme point de contact.",
        "Julie Martin devient point de contact au 1er janvier.",
    ];
    for body in bodies {
        assert_eq!(name_in(body, JEAN), named("Julie", "Martin"), "{body}");
    }
}

#[test]
fn a_heading_like_start_of_line_announces_the_name_after_its_colon() {
    let body = "Remplaçant au 1/1 : Luc Renard, luc.renard@exemple.be, 0470 99 88 77. J.";
    let expected = details(
        "Renard",
        "Luc",
        "",
        "luc.renard@exemple.be",
        "0470 99 88 77",
    );
    assert_eq!(read_new_contact(body, JEAN), expected);
    let below = "Merci d'écrire à ma collègue en copie, qui devient point de contact :\n\n\
                 Laura Martin\nChargée de projets\nlaura.martin@exemple.be\n\nMerci !\n";
    // `La` starting `Laura` is no determiner.
    let expected = details(
        "Martin",
        "Laura",
        "Chargée de projets",
        "laura.martin@exemple.be",
        "",
    );
    assert_eq!(read_new_contact(below, JEAN), expected);
    // « Point de contact : » alone may be the old one.
    assert_eq!(
        name_in("Point de contact : Jean Dupont\n", None),
        (None, None)
    );
}

#[test]
fn labelled_fields_after_the_name_on_its_line_are_the_successors() {
    let body = "Mon remplaçant à partir du 1er janvier : M. Luc Renard – Fonction : \
                Responsable énergie – Courriel : luc.renard@exemple.be – GSM : 0471/55.66.77\n\
                Cordialement, Jean";
    let expected = details(
        "Renard",
        "Luc",
        "Responsable énergie",
        "luc.renard@exemple.be",
        "0471/55.66.77",
    );
    assert_eq!(read_new_contact(body, JEAN), expected);
}

#[test]
fn the_paragraph_after_the_name_may_give_the_function_and_the_details() {
    let body = "Je quitte le CHR. C'est ma collègue Julie Martin qui me succède : elle sera \
                votre interlocutrice.\n\n\
                Julie est infirmière-cheffe du service de gériatrie. Vous pouvez la joindre \
                au 0495 67 89 01 ou à julie.martin@exemple.be.\n\n-- \nJean Dupont\n";
    let expected = details(
        "Martin",
        "Julie",
        "infirmière-cheffe du service de gériatrie",
        "julie.martin@exemple.be",
        "0495 67 89 01",
    );
    assert_eq!(read_new_contact(body, JEAN), expected);
    let list = "M. Luc Renard, conseiller en mobilité, est désigné comme point de contact.\n\n\
                Vous pourrez le joindre :\n- par courriel : luc.renard@exemple.be\n\
                - par téléphone : 082 21 45 10\n";
    let found = read_new_contact(list, JEAN);
    assert_eq!(found.email.as_deref(), Some("luc.renard@exemple.be"));
    assert_eq!(found.phone.as_deref(), Some("082 21 45 10"));
    assert_eq!(found.function.as_deref(), Some("conseiller en mobilité"));
    // A paragraph about someone else is not reached.
    let other = "Julie Martin reprend le rôle de point de contact.\n\n\
                 Le secrétariat reste joignable au 081 00 00 00.\n";
    assert_eq!(read_new_contact(other, JEAN).phone, None);
}

#[test]
fn the_person_the_sender_writes_for_is_not_the_successor() {
    let body = "À la demande du Dr Anne Collard, Directrice générale, je vous informe que le \
                nouveau point de contact sera, dès le 1er janvier 2027, Madame Marie-Ève de \
                Ligne, chargée de projets (marie-eve.deligne@exemple.be, +32 470/12.34.56).";
    let expected = details(
        "de Ligne",
        "Marie-Ève",
        "chargée de projets",
        "marie-eve.deligne@exemple.be",
        "+32 470/12.34.56",
    );
    assert_eq!(
        read_new_contact(body, Some("direction@exemple.be")),
        expected
    );
}

#[test]
fn phone_sign_offs_and_a_sign_off_ending_a_flattened_line_end_the_message() {
    for sign_off in [
        "Envoyé de mon iPhone",
        "Envoyé depuis mon appareil Galaxy",
        "Obtenir Outlook pour Android",
        "Get Outlook for iOS",
        "Sent from my iPad",
    ] {
        let body = format!("Bonjour,\n\n{sign_off}\n\nNom : Dupont\nPrénom : Jean\n");
        let found = read_new_contact(&body, JEAN);
        assert_eq!(found, ContactDetails::default(), "{sign_off}");
    }
    // The signature under an HTML table flattened to one line is the sender's.
    let body = "Le nouveau point de contact est ci-dessous :\n\
                Nom Martin GSM 0489 33 22 11 Salutations distinguées,\n\
                Dr Anne Collard\nDirectrice générale\nTél. : 082/21.40.00\n";
    let found = read_new_contact(body, Some("direction@exemple.be"));
    assert_ne!(found.last_name.as_deref(), Some("Collard"), "{found:?}");
    assert_ne!(found.phone.as_deref(), Some("082/21.40.00"), "{found:?}");
}

#[test]
fn a_forwarded_mail_is_read_when_the_sender_hands_it_on() {
    let gmail = "Bonjour,\n\nJe vous transfère le message de notre directrice.\n\nJean\n\n\
                 ---------- Forwarded message ---------\n\
                 De : Anne Collard <direction@exemple.be>\n\
                 Date: mer. 9 déc. 2026 à 11:20\n\
                 Subject: Point de contact\n\
                 To: Jean Dupont <jean.dupont@chr-hautemeuse.be>\n\n\n\
                 Cher Jean,\n\nÀ partir du 1er janvier, Julie Martin (infirmière) reprendra \
                 la fonction de point de contact. Ses coordonnées : julie.martin@exemple.be – \
                 0485 12 90 33.\n\nMerci à tous les deux,\n\nDr Anne Collard\n\
                 Tél. : 082/21.40.00\n";
    let expected = details(
        "Martin",
        "Julie",
        "infirmière",
        "julie.martin@exemple.be",
        "0485 12 90 33",
    );
    assert_eq!(read_new_contact(gmail, JEAN), expected);
    let outlook = "Veuillez trouver ci-dessous l'information.\n\n\
                   ________________________________\n\
                   De : Ressources humaines <rh@exemple.be>\n\
                   Envoyé : jeudi 10 décembre 2026 16:45\n\
                   Objet : Nouveau point de contact\n\n\
                   Nous confirmons l'engagement de M. Luc Renard en qualité de Responsable \
                   énergie à dater du 4 janvier 2027. Il reprendra le rôle de point de contact.\n\n\
                   Adresse électronique : luc.renard@exemple.be\n\
                   GSM professionnel : +32 471 20 30 40\n";
    let expected = details(
        "Renard",
        "Luc",
        "Responsable énergie",
        "luc.renard@exemple.be",
        "+32 471 20 30 40",
    );
    assert_eq!(read_new_contact(outlook, JEAN), expected);
}

#[test]
fn a_quoted_mail_is_not_read_unless_forwarded_nor_the_senders_own_earlier_one() {
    // A reply above the alliance's question: the quote is not the answer.
    let reply = "Bonjour,\n\nJe reviens vers vous bientôt.\n\n\
                 De : Secrétariat <contact@aset-w.example>\nEnvoyé : lundi 3 novembre 2026\n\n\
                 Le nouveau point de contact sera-t-il Mme Julie Martin (julie.martin@exemple.be) ?\n";
    assert_eq!(read_new_contact(reply, JEAN), ContactDetails::default());
    // The sender's own earlier mail, forwarded again, may be what they now correct.
    let own = "Voir ci-dessous.\n\n---------- Forwarded message ---------\n\
               De : Jean Dupont <jean.dupont@chr-hautemeuse.be>\nDate: lundi\n\n\
               Mon successeur sera M. Luc Renard (luc.renard@exemple.be).\n";
    assert_eq!(read_new_contact(own, JEAN), ContactDetails::default());
}

#[test]
fn a_pronoun_starting_a_sentence_is_never_a_name() {
    let body = "Il reprendra le rôle de point de contact. Elle sera notre nouvelle personne de \
                contact.";
    assert_eq!(name_in(body, JEAN), (None, None));
}

#[test]
fn a_table_flattened_without_separators_is_read_by_its_glued_labels() {
    let body =
        "Les coordonnées du nouveau point de contact, en remplacement de M. Jean Dupont :\n \
                NomFontaine PrénomChloé FonctionResponsable développement durable \
                Courrielchloe.fontaine@exemple.be GSM0489 33 22 11 Salutations distinguées,\n\
                Dr Anne Collard\nDirectrice générale\nTél. : 082/21.40.00\n";
    let expected = details(
        "Fontaine",
        "Chloé",
        "Responsable développement durable",
        "chloe.fontaine@exemple.be",
        "0489 33 22 11",
    );
    assert_eq!(
        read_new_contact(body, Some("direction@exemple.be")),
        expected
    );
    // Capitalised label words in a sentence are no table row.
    let sentence = "Notre service Mobile Nomade a changé.\n";
    assert_eq!(read_new_contact(sentence, None), ContactDetails::default());
}

#[test]
fn a_short_answer_names_the_successor_only_under_a_quoted_request_for_them() {
    let answer = "Bonjour,\n\nVoici : Julie Martin (Coordinatrice environnement), \
                  julie.martin@exemple.be, 082/21.40.35.\n\nJean\n\n\
                  Le lun. 14 déc. 2026 à 09:30, ASeT-W <contact@aset-w.example> a écrit :\n\
                  > Pourriez-vous nous communiquer les nom, fonction, e-mail et téléphone du \
                  nouveau point de contact ?\n";
    let expected = details(
        "Martin",
        "Julie",
        "Coordinatrice environnement",
        "julie.martin@exemple.be",
        "082/21.40.35",
    );
    assert_eq!(read_new_contact(answer, JEAN), expected);
    // Without the question, « Voici : » may introduce anyone.
    let alone = "Bonjour,\n\nVoici : Julie Martin (Coordinatrice environnement), \
                 julie.martin@exemple.be, 082/21.40.35.\n";
    assert!(!read_new_contact(alone, JEAN).names_someone());
}

#[test]
fn what_reads_like_a_name_or_a_function_but_is_neither_is_not_recorded() {
    // A department announced as the contact: no person's name to take from it.
    let unit = "Nouveau point de contact : Service Environnement (environnement@exemple.be).";
    let found = read_new_contact(unit, JEAN);
    assert_eq!((found.first_name, found.last_name), (None, None));
    // A later sentence about the successor that says no function.
    let body = "C'est Julie Martin qui reprend le rôle de point de contact. Elle est ravie de \
                rejoindre le réseau. Elle est joignable au 0470 12 34 56.";
    let found = read_new_contact(body, JEAN);
    assert_eq!(found.function, None, "{found:?}");
    assert_eq!(found.phone.as_deref(), Some("0470 12 34 56"));
}

#[test]
fn a_function_in_brackets_after_the_verb_and_qui_after_a_comma_are_read() {
    let body = "A partir du 1/3 c est Julie Martin qui reprend mon role (gestionnaire env.), \
                julie.martin@exemple.be 0471223344\nJean\nSent from my Samsung";
    let expected = details(
        "Martin",
        "Julie",
        "gestionnaire env.",
        "julie.martin@exemple.be",
        "0471223344",
    );
    assert_eq!(read_new_contact(body, JEAN), expected);
    let body = "Je vous présente Julie Martin, qui me succède à partir du 1er mars comme point \
                de contact. Julie est gestionnaire environnement ; son adresse : \
                julie.martin@exemple.be, son GSM : 0471 22 33 44.\n\nJean\n\n\
                Envoyé depuis Gmail pour mobile";
    let expected = details(
        "Martin",
        "Julie",
        "gestionnaire environnement",
        "julie.martin@exemple.be",
        "0471 22 33 44",
    );
    assert_eq!(read_new_contact(body, JEAN), expected);
    // A bracket that gives a date is no function.
    let body = "Julie Martin me remplacera (à partir du 1er mars).";
    assert_eq!(read_new_contact(body, JEAN).function, None);
}

#[test]
fn the_departing_contact_described_by_their_role_is_not_the_successor() {
    let body = "Nous vous informons que M. Jean Dupont, coordinateur développement durable et \
                point de contact de notre institution auprès de l'ASeT-W, quittera ses fonctions \
                le 31 décembre. Le recrutement de son successeur est en cours.";
    assert_eq!(name_in(body, Some("direction@exemple.be")), (None, None));
    // A forwarded mail that names the sender himself names no successor.
    let forward = "Je vous transfère ci-dessous le message de la direction.\n\n\
                   ---------- Forwarded message ---------\n\
                   De : Anne Collard <direction@exemple.be>\nDate: lundi\n\n\
                   Le point de contact reste M. Jean Dupont (jean.dupont@chr-hautemeuse.be) \
                   jusqu'à nouvel ordre.\n";
    assert_eq!(read_new_contact(forward, JEAN), ContactDetails::default());
}
