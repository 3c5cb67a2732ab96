"""Generate the sample Maildir ``examples/inbox``: April to November 2026 in the alliance's mailbox.

Eight messages land in ``new/`` (``cur/`` and ``tmp/`` stay empty, kept by ``.gitkeep``):
three membership forms, a change of contact point, a resignation, an out-of-office
answer, a bounce and a question. Each file is named the Maildir way,
``<delivery time>.M<n>P<pid>Q<n>.mailroom-example``, the leading number being the unix
time at which the gateway delivered it.

Run from anywhere (Python 3.11, standard library only)::

    python3 examples/generate_inbox.py

then try ``mailroom ingest examples/inbox``. Re-running gives the same files.
"""

from __future__ import annotations

import datetime as dt
import sys
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "mail"))

import generate as corpus  # noqa: E402  (the corpus generator: people and cover notes)
import mailbuilders as mb  # noqa: E402
from mailbuilders import Mail, brussels  # noqa: E402

INBOX = Path(__file__).resolve().parent / "inbox"
SUFFIX = ".mailroom-example"


def maildir_name(delivered_at: dt.datetime, number: int) -> str:
    """A Maildir file name whose first field is the delivery time in unix seconds."""
    return f"{int(delivered_at.timestamp())}.M{number}P{100 + number}Q{number}{SUFFIX}"


def delivered(mail: Mail, message: Message, hop: tuple[str, str]) -> tuple[dt.datetime, bytes]:
    """The delivery time and the bytes as the gateway stores them, two seconds after sending."""
    at = mail.when + dt.timedelta(seconds=2)
    return at, mb.delivered(mb.to_bytes(message), mb.gateway_trace(mail.seed, at, mail.sender.address, hop))


def conventions() -> list[tuple[dt.datetime, bytes]]:
    """Three forms, each under the subject naming the organisation the form is for."""
    items = []
    org = "Centre Hospitalier de la Basse-Sambre"
    mail = Mail(
        corpus.CHBS, corpus.CONVENTION.format(org), brussels(2026, 4, 17, 10, 4, 12),
        corpus.sending_form(org, corpus.CHBS, "Coordinatrice développement durable"), "inbox-1",
        attachments=[corpus.pdf(corpus.HOSPITAL, "Formulaire adhésion ASeT-W - CHBS.pdf")],
    )
    items.append(delivered(mail, mb.outlook(mail, logo=True), corpus.OUTLOOK_HOP))

    org = "Collectif Santé-Climat Wallonie asbl"
    mail = Mail(
        corpus.COLLECTIF, corpus.CONVENTION.format(org), brussels(2026, 4, 20, 15, 31, 47),
        "Bonjour,\n\nVous trouverez en pièce jointe notre formulaire d’adhésion à l’ASeT-W, signé par notre présidente.\n\n"
        f"Belle journée,\n\n{corpus.sign(corpus.COLLECTIF, 'Chargé de projets', org)}\n", "inbox-2",
        attachments=[corpus.pdf(corpus.ECOSYSTEM, "ASeT-W_convention_Collectif_Sante-Climat.pdf")],
    )
    items.append(delivered(mail, mb.gmail(mail), corpus.GMAIL_HOP))

    org = "Centre Hospitalier Régional de la Semois"
    mail = Mail(
        corpus.SEMOIS, "Re: " + corpus.CONVENTION.format(org), brussels(2026, 5, 6, 9, 12, 3),
        "Madame, Monsieur,\n\nComme convenu par téléphone, voici le formulaire complété dans le PDF et signé par "
        f"Mme Gilson, notre directrice générale.\n\nCordialement,\n\n-- \n{corpus.sign(corpus.SEMOIS, 'Responsable environnement', org)}\n",
        "inbox-3", attachments=[corpus.pdf(corpus.ACROFORM, "Formulaire d’adhésion ASeT-W — CHR de la Semois.pdf")],
        in_reply_to=mb.alliance_message_id("inbox-3-ask"),
    )
    items.append(delivered(mail, mb.thunderbird(mail), corpus.smtp_hop(corpus.SEMOIS, 14)))
    return items


def member_requests() -> list[tuple[dt.datetime, bytes]]:
    """A change of contact point and a resignation: both held for a coordinator."""
    org = "Résidence Les Tilleuls"
    contact = Mail(
        corpus.TILLEULS, f"ASeT-W — {org} — point de contact", brussels(2026, 6, 15, 11, 40, 0),
        "Madame, Monsieur,\n\nÀ partir du 1er juillet 2026, le point de contact de la Résidence Les Tilleuls pour "
        "l’ASeT-W sera M. Grégoire Fontaine, responsable technique (g.fontaine@residence-tilleuls.example).\n\n"
        f"Bien cordialement,\n\n{corpus.sign(corpus.TILLEULS, 'Directrice', org)}\n", "inbox-4",
    )
    org = "Centre Hospitalier Fictif de Namur"
    resignation = Mail(
        corpus.CHFN, f"« ASeT-W — {org} — Résiliation »", brussels(2026, 11, 3, 16, 5, 30),
        "Madame, Monsieur,\n\nPar la présente, le Centre Hospitalier Fictif de Namur notifie la résiliation de sa "
        "convention d’engagement à l’ASeT-W, conformément à l’article 6.3.\n\nVeuillez agréer, Madame, Monsieur, "
        f"nos salutations distinguées.\n\n{corpus.sign(corpus.CHFN, 'Point de contact ASeT-W', org)}\n", "inbox-5",
    )
    return [
        delivered(contact, mb.outlook(contact, host="PR3PR09MB6107"), corpus.OUTLOOK_HOP),
        delivered(resignation, mb.outlook(resignation, host="AM0PR09MB4402"), corpus.OUTLOOK_HOP),
    ]


def automated() -> list[tuple[dt.datetime, bytes]]:
    """An out-of-office answer and a bounce: recorded, never answered."""
    away = Mail(
        corpus.COLLECTIF, "Réponse automatique : RE: " + corpus.CONVENTION.format("Collectif Santé-Climat Wallonie asbl"),
        brussels(2026, 7, 22, 8, 30, 5),
        "Bonjour,\n\nJe suis en congé jusqu’au 17 août 2026. Pour toute urgence : presidence@santeclimat-wallonie.example.\n\n"
        "Timothée Baudoux\n", "inbox-6",
        in_reply_to=mb.alliance_message_id("inbox-6-ack"), thread_depth=1,
        extra_headers=[("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")],
    )
    when = brussels(2026, 9, 9, 14, 2, 51)
    gone = mb.Person("Hélène Dubois-Lefèvre", "h.dubois@chbs.example")
    ack = mb.alliance_ack("inbox-7-ack", when - dt.timedelta(seconds=4), gone, "RE: ASeT-W — Centre Hospitalier de la Basse-Sambre — point de contact")
    bounce = mb.postfix_bounce("inbox-7", when, "mx.chbs.example", gone.address, ack)
    at = when + dt.timedelta(seconds=1)
    raw = mb.delivered(mb.to_bytes(bounce), mb.gateway_trace("inbox-7", at, "", ("mx.chbs.example", "203.0.113.71")))
    return [delivered(away, mb.outlook(away, host="GV1PR09MB8843"), corpus.OUTLOOK_HOP), (at, raw)]


def question() -> tuple[dt.datetime, bytes]:
    """A question that matches no subject rule."""
    mail = Mail(
        corpus.CURIOUS, "Question sur les groupes de travail", brussels(2026, 10, 12, 13, 27, 44),
        "Bonjour,\n\nEst-il encore possible de rejoindre le groupe de travail « Achats durables » en cours d’année ?\n\n"
        "Merci d’avance,\nJulie Remacle\nMaison médicale fictive\n", "inbox-8",
    )
    return delivered(mail, mb.gmail(mail), corpus.GMAIL_HOP)


def main() -> int:
    """Write the Maildir, replacing earlier sample messages."""
    messages = sorted([*conventions(), *member_requests(), *automated(), question()], key=lambda item: item[0])
    for folder in ("cur", "new", "tmp"):
        (INBOX / folder).mkdir(parents=True, exist_ok=True)
    for old in (INBOX / "new").glob(f"*{SUFFIX}"):
        old.unlink()
    for folder in ("cur", "tmp"):
        (INBOX / folder / ".gitkeep").touch()
    for number, (at, raw) in enumerate(messages, start=1):
        (INBOX / "new" / maildir_name(at, number)).write_bytes(raw)
    print(f"wrote {len(messages)} messages to {INBOX / 'new'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
