"""Generate a Maildir of N mixed messages for the ingest benchmark.

    python3 bench/gen_mailbox.py 10000 /tmp/mbox10k [--seed 1]

Writes ``OUTDIR/new/<time>.M<i>P<pid>Q<i>.bench`` (plus empty ``cur/`` and ``tmp/``), each file's
mtime set to its delivery time. About 60% of the messages carry one of the sample forms
(``tests/fixtures/forms``, 5–6 pages) from the client styles of the test corpus (Outlook,
Gmail, Thunderbird, Apple Mail, copier, forward as attachment); the rest are auto-replies,
bounces, questions, contact changes, resignations and newsletters. Message-IDs are unique
except for about 1% of deliberate duplicates (the same message delivered a second time,
with other trace headers). The same N and seed give the same files; messages are written
one at a time, so memory does not grow with N.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import random
import sys
import time
import unicodedata
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "mail"))

import mailbuilders as mb  # noqa: E402
from mailbuilders import Attachment, Forwarded, Mail, Person  # noqa: E402

START = mb.brussels(2026, 4, 1, 8, 0)
DUPLICATE_RATE = 0.01
RECENT = 64  # how many recent messages a duplicate may copy (bounds memory)

KINDS = (  # (weight, builder name); the first six carry a form
    (22, "convention_outlook"),
    (12, "convention_gmail"),
    (9, "convention_thunderbird"),
    (7, "convention_apple"),
    (4, "convention_scanner"),
    (6, "convention_forwarded"),
    (8, "auto_reply"),
    (5, "bounce"),
    (10, "question"),
    (6, "contact_change"),
    (4, "resignation"),
    (7, "newsletter"),
)

TYPES = ("Résidence", "Home", "Maison de repos", "Clinique", "Centre Hospitalier", "Polyclinique", "Maison de soins", "Centre de revalidation")
NAMES = ("Les Tilleuls", "Saint-Exemple", "Les Érables", "Les Glycines", "du Parc", "Sainte-Thérèse", "Les Acacias", "Le Chêne", "Les Peupliers", "Saint-Joseph", "Les Charmilles", "Sainte-Élisabeth")
PLACES = ("de Lormelle", "de Fictiville", "d’Ourthemont", "de Warnelle", "de Montexemple", "de Basse-Verlaine", "du Val-Fictif", "de Sambrelieu")
FIRST = ("Hélène", "Marc", "Sophie", "Cédric", "Nathalie", "Olivier", "Véronique", "Karim", "Françoise", "Grégory", "Élodie", "Bernard", "Julie", "Timothée")
LAST = ("Dubois", "Lambert", "Marchal", "Piron", "Hanquet", "Delvaux", "Benali", "Collard", "Lemaire", "Maréchal", "Willems", "Remacle", "Baudoux", "Verhaegen")
SUBJECT_STYLES = (
    "ASeT-W — Convention d’engagement — {org}",
    "ASeT-W - Convention d'engagement - {org}",
    "RE: ASeT-W — Convention d’engagement — {org}",
    "ASeT-W — Formulaire d’adhésion — {org}",
    "[EXTERNAL] ASeT-W — Convention d’engagement — {org}",
    "ASET-W – Convention d’engagement – {org}",
)


@dataclass(frozen=True)
class Member:
    """A fictional organisation and the person writing for it."""

    org: str
    person: Person


def ascii_slug(text: str) -> str:
    """``text`` lower-cased, accents dropped, non-alphanumerics turned into hyphens."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())


def random_member(rng: random.Random) -> Member:
    """A member organisation with a contact person at its own domain."""
    org = f"{rng.choice(TYPES)} {rng.choice(NAMES)} {rng.choice(PLACES)}"
    first, last = rng.choice(FIRST), rng.choice(LAST)
    domain = f"{ascii_slug(org)[:40].strip('-')}.example"
    return Member(org, Person(f"{first} {last}", f"{ascii_slug(first)}.{ascii_slug(last)}@{domain}"))


def form(rng: random.Random, filename: str | None, content_type: str = "application/pdf", disposition: str | None = "attachment") -> Attachment:
    """One of the sample forms as an attachment."""
    return Attachment(filename, mb.form_pdf(rng.choice(mb.FORM_FILES)), content_type, disposition)


def cover_note(member: Member) -> str:
    """The usual text sent with a form."""
    return (
        "Madame, Monsieur,\n\nVeuillez trouver ci-joint notre convention d’engagement, dûment complétée et signée.\n\n"
        f"Bien cordialement,\n\n{member.person.name}\n{member.org}\n"
    )


def hop(member: Member) -> tuple[str, str]:
    """The sending organisation's outgoing server."""
    return (f"smtp.{member.person.domain}", "203.0.113.10")


# ---------------------------------------------------------------------------
# One builder per kind: (rng, seed, sent_at) -> Built
# ---------------------------------------------------------------------------

Built = tuple[Message, str, tuple[str, str]]  # message, envelope sender ("" for bounces), previous hop
OUTLOOK_HOP = ("mail-am0eur02on2071.outbound.protection.outlook.example", "2001:db8::71")
GMAIL_HOP = ("mail-ed1-f41.google.example", "198.51.100.41")


def convention_mail(rng: random.Random, seed: str, when: dt.datetime, attachments: list | None = None) -> tuple[Member, Mail]:
    """A member's convention message with its form, not yet shaped by a client."""
    member = random_member(rng)
    subject = rng.choice(SUBJECT_STYLES).format(org=member.org)
    files = attachments if attachments is not None else [form(rng, f"Convention ASeT-W - {member.org}.pdf")]
    return member, Mail(member.person, subject, when, cover_note(member), seed, attachments=files)


def convention_outlook(rng: random.Random, seed: str, when: dt.datetime) -> Built:
    """A form sent from Outlook, sometimes with a signature logo."""
    _, mail = convention_mail(rng, seed, when)
    return mb.outlook(mail, logo=rng.random() < 0.3), mail.sender.address, OUTLOOK_HOP


def convention_gmail(rng: random.Random, seed: str, when: dt.datetime) -> Built:
    """A form sent from Gmail."""
    _, mail = convention_mail(rng, seed, when)
    return mb.gmail(mail), mail.sender.address, GMAIL_HOP


def convention_thunderbird(rng: random.Random, seed: str, when: dt.datetime) -> Built:
    """A form sent from Thunderbird."""
    member, mail = convention_mail(rng, seed, when)
    return mb.thunderbird(mail), mail.sender.address, hop(member)


def convention_apple(rng: random.Random, seed: str, when: dt.datetime) -> Built:
    """A form sent inline from Apple Mail, labelled PDF or octet-stream."""
    label = rng.choice(("application/pdf", "application/octet-stream"))
    member, mail = convention_mail(rng, seed, when, [form(rng, "Convention.pdf", label, "inline")])
    return mb.apple_mail(mail, with_html=rng.random() < 0.5), mail.sender.address, hop(member)


def convention_scanner(rng: random.Random, seed: str, when: dt.datetime) -> Built:
    """A scanned form from a copier: octet-stream, no file name, no disposition."""
    member = random_member(rng)
    mail = Mail(
        Person("Copieur", f"scan@{member.person.domain}"), f"ASeT-W - Convention d engagement - {ascii_slug(member.org)}",
        when, "Document numerise.\n", seed, attachments=[form(rng, None, "application/octet-stream", None)],
    )
    return mb.scanner(mail), mail.sender.address, hop(member)


def convention_forwarded(rng: random.Random, seed: str, when: dt.datetime) -> Built:
    """A director forwarding the contact person's message as an attachment (message/rfc822)."""
    member, inner = convention_mail(rng, seed + "-inner", when - dt.timedelta(hours=3))
    director = Person("Direction générale", f"direction@{member.person.domain}")
    inner.to = director
    mail = Mail(
        director, "TR: " + inner.subject, when, "Bonjour,\n\nVeuillez trouver le message joint.\n\nLa direction\n", seed,
        attachments=[Forwarded(mb.thunderbird(inner), "convention.eml")], thread_depth=1,
    )
    return mb.outlook(mail), director.address, OUTLOOK_HOP


def auto_reply(rng: random.Random, seed: str, when: dt.datetime) -> Built:
    """An out-of-office answer, marked by one of the usual headers."""
    member = random_member(rng)
    marks = rng.choice((
        [("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")],
        [("X-Autoreply", "yes")],
        [("Precedence", "auto_reply")],
    ))
    mail = Mail(
        member.person, "Réponse automatique : ASeT-W — Convention d’engagement — " + member.org, when,
        "Bonjour,\n\nJe suis absent(e) jusqu’au 24 août 2026 inclus.\n", seed,
        in_reply_to=mb.alliance_message_id(seed + "-ack"), extra_headers=marks,
    )
    return mb.vacation_reply(mail, "vacation 1.2.7"), member.person.address, hop(member)


def bounce(rng: random.Random, seed: str, when: dt.datetime) -> Built:
    """A Postfix bounce of an acknowledgement."""
    member = random_member(rng)
    ack = mb.alliance_ack(seed + "-ack", when - dt.timedelta(seconds=4), member.person, "ASeT-W — Convention d’engagement — " + member.org)
    mta = f"mx.{member.person.domain}"
    message = mb.postfix_bounce(seed, when, mta, member.person.address, ack)
    return message, "", (mta, "203.0.113.25")


def question(rng: random.Random, seed: str, when: dt.datetime) -> Built:
    """A question that matches no subject rule (or looks close to one)."""
    member = random_member(rng)
    subject = rng.choice(("Question sur la convention", "Groupes de travail : inscription", "ASeT-W — Question concernant la résiliation", "Demande d'information"))
    mail = Mail(member.person, subject, when, "Bonjour,\n\nPourriez-vous me dire où en est notre adhésion ?\n\nMerci d’avance.\n", seed)
    return mb.gmail(mail), member.person.address, GMAIL_HOP


def contact_change(rng: random.Random, seed: str, when: dt.datetime) -> Built:
    """A change of contact point."""
    member = random_member(rng)
    mail = Mail(
        member.person, f"ASeT-W — {member.org} — point de contact", when,
        "Madame, Monsieur,\n\nNotre nouveau point de contact pour l’ASeT-W est M. Fontaine.\n\nBien à vous.\n", seed,
    )
    return mb.outlook(mail), member.person.address, OUTLOOK_HOP


def resignation(rng: random.Random, seed: str, when: dt.datetime) -> Built:
    """A resignation."""
    member = random_member(rng)
    mail = Mail(
        member.person, f"« ASeT-W — {member.org} — Résiliation »", when,
        "Madame, Monsieur,\n\nNous vous notifions la résiliation de notre convention d’engagement.\n", seed,
    )
    return mb.thunderbird(mail), member.person.address, hop(member)


def newsletter(rng: random.Random, seed: str, when: dt.datetime) -> Built:
    """A newsletter (Precedence: bulk, List-Unsubscribe)."""
    sender = Person("Réseau Santé Durable Exemple", "lettre@reseau-sante-durable.example")
    mail = Mail(sender, f"Lettre d'information n°{rng.randint(1, 99)} — Santé & climat", when, "Au sommaire ce mois-ci…\n", seed)
    markup = "<html><body><h1>Santé &amp; climat</h1><p>Au sommaire ce mois-ci…</p></body></html>\n"
    return mb.newsletter(mail, "lists.reseau-sante-durable.example", markup), sender.address, ("mta7.lists.reseau-sante-durable.example", "198.51.100.77")


BUILDERS = {name: globals()[name] for _, name in KINDS}


# ---------------------------------------------------------------------------
# The Maildir
# ---------------------------------------------------------------------------


def write(new: Path, index: int, delivered_at: dt.datetime, raw: bytes) -> None:
    """Write one message to ``new/`` named and dated the Maildir way."""
    stamp = int(delivered_at.timestamp())
    path = new / f"{stamp}.M{index}P4242Q{index}.bench"
    path.write_bytes(raw)
    os.utime(path, (stamp, stamp))


def generate(count: int, outdir: Path, seed: int) -> None:
    """Write ``count`` messages to the Maildir ``outdir``."""
    rng = random.Random(seed)
    weights = [w for w, _ in KINDS]
    names = [n for _, n in KINDS]
    for folder in ("cur", "new", "tmp"):
        (outdir / folder).mkdir(parents=True, exist_ok=True)
    new = outdir / "new"
    recent: collections.deque[tuple[str, str, bytes]] = collections.deque(maxlen=RECENT)
    when = START
    for index in range(count):
        when += dt.timedelta(seconds=rng.randint(30, 1500))
        delivered_at = when + dt.timedelta(seconds=2)
        if recent and rng.random() < DUPLICATE_RATE:
            msg_seed, sender, body = rng.choice(recent)
            trace = mb.gateway_trace(msg_seed, delivered_at, sender, ("mail-ej1-f52.google.example", "198.51.100.52"), f"again-{index}", gateway="mx2.mail-gateway.example")
        else:
            msg_seed = f"bench-{seed}-{index}"
            message, sender, previous = BUILDERS[rng.choices(names, weights)[0]](rng, msg_seed, when)
            body = mb.to_bytes(message)
            recent.append((msg_seed, sender, body))
            trace = mb.gateway_trace(msg_seed, delivered_at, sender, previous)
        write(new, index, delivered_at, mb.delivered(body, trace))


def main() -> int:
    """Parse the command line, generate, report the rate."""
    parser = argparse.ArgumentParser(description="Generate a Maildir of N mixed messages for the ingest benchmark.")
    parser.add_argument("count", type=int, nargs="?", default=10_000, help="number of messages (default 10000)")
    parser.add_argument("outdir", type=Path, help="Maildir to create (messages go to OUTDIR/new)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args()
    started = time.perf_counter()
    generate(args.count, args.outdir, args.seed)
    elapsed = time.perf_counter() - started
    print(f"{args.count} messages written to {args.outdir / 'new'} in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
