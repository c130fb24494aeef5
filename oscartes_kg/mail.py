"""E-mail of the watch: a saved search's digest, in French, as plain text and HTML, sent by SMTP.

The standard library builds and sends it (``email.message.EmailMessage``, ``smtplib``): a
``multipart/alternative`` message whose HTML part escapes every value, with a
``List-Unsubscribe`` header (RFC 2369) and one-click unsubscription (RFC 8058,
``List-Unsubscribe-Post``), so mail clients offer the « se désabonner » button themselves.
The server, port, login and STARTTLS come from the settings (``smtp_*``).
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape

from .errors import ConfigError, OscartesError

__all__ = ["Item", "Digest", "compose", "send"]


@dataclass(frozen=True)
class Item:
    """One line of a digest: an entity, its kind's name, its page, when it was written."""

    label: str
    kind: str
    url: str
    when: str


@dataclass(frozen=True)
class Digest:
    """What one digest says: the search's name, its page and feed, what is new, how to leave."""

    to: str
    search_name: str
    search_url: str
    feed_url: str
    unsubscribe_url: str
    items: tuple[Item, ...]


def compose(digest: Digest, *, sender: str) -> EmailMessage:
    """The digest as an e-mail (French plain text, HTML alternative, unsubscribe headers).

    >>> m = compose(Digest("a@example.org", "Vélo", "http://x/search?q=v", "http://x/f",
    ...                    "http://x/u/t", (Item("<Atelier>", "Événement", "http://x/e", "2026-01-02"),)),
    ...             sender="veille@example.org")
    >>> m["List-Unsubscribe"], "&lt;Atelier&gt;" in m.get_body(("html",)).get_content()
    ('<http://x/u/t>', True)
    """
    count = len(digest.items)
    message = EmailMessage()
    message["Subject"] = f"Veille OSCARTES « {digest.search_name} » : {count} nouveauté" + \
        ("s" if count > 1 else "")
    message["From"] = sender
    message["To"] = digest.to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["List-Unsubscribe"] = f"<{digest.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to a digest
    message.set_content(_text(digest), subtype="plain", charset="utf-8")
    message.add_alternative(_html(digest), subtype="html", charset="utf-8")
    return message


def _text(digest: Digest) -> str:
    lines = [f"Bonjour,", "",
             f"Voici les nouveautés de votre veille « {digest.search_name} » sur la base de "
             f"connaissances OSCARTES :", ""]
    lines += [f"- {item.label} ({item.kind}, {item.when[:10]})\n  {item.url}" for item in digest.items]
    lines += ["", f"Voir la recherche : {digest.search_url}",
              f"S'abonner au flux Atom : {digest.feed_url}", "",
              "Vous recevez ce courriel parce que vous avez enregistré cette veille.",
              f"Se désabonner : {digest.unsubscribe_url}", ""]
    return "\n".join(lines)


def _html(digest: Digest) -> str:
    e = escape
    rows = "\n".join(f'<li><a href="{e(item.url)}">{e(item.label)}</a> '
                     f"<small>({e(item.kind)}, {e(item.when[:10])})</small></li>"
                     for item in digest.items)
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
            f"<title>Veille « {e(digest.search_name)} »</title></head><body>"
            f"<p>Bonjour,</p><p>Voici les nouveautés de votre veille "
            f"« {e(digest.search_name)} » sur la base de connaissances OSCARTES :</p>"
            f"<ul>\n{rows}\n</ul>"
            f'<p><a href="{e(digest.search_url)}">Voir la recherche</a> · '
            f'<a href="{e(digest.feed_url)}">S\'abonner au flux Atom</a></p>'
            f"<p><small>Vous recevez ce courriel parce que vous avez enregistré cette veille. "
            f'<a href="{e(digest.unsubscribe_url)}">Se désabonner</a></small></p></body></html>')


def send(messages: list[EmailMessage], settings) -> int:
    """Send ``messages`` over one SMTP connection (``smtp_*`` settings); return how many went.

    :raises ConfigError: no SMTP server configured.
    :raises OscartesError: the server refused the connection, the login or a message.
    """
    if not messages:
        return 0
    if not settings.smtp_host:
        raise ConfigError("aucun serveur SMTP configuré (OSCARTES_SMTP_HOST) / no SMTP server "
                          "configured", rule="smtp_host")
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as client:
            if settings.smtp_starttls:
                client.starttls()
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password)
            for message in messages:
                client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise OscartesError(f"envoi des courriels impossible par {settings.smtp_host}:"
                            f"{settings.smtp_port} ({type(error).__name__}) / could not send "
                            f"e-mail", rule="smtp") from error
    return len(messages)
