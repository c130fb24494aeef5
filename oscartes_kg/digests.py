"""Sending the watch's e-mail digests: for each saved search that wants one, what newly matches
since the last digest, one e-mail, then the mark moves on (``oscartes-kg watch send-digests``).

Cron-friendly: a run sends nothing twice (each search remembers up to when it was sent,
``watch.mark_sent``, moved only after its e-mail went), and a search with nothing new gets no
e-mail. The time a run reads up to is taken before reading, so a write during the run is in the
next digest rather than lost.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from . import catalogue, mail, watch
from .catalogue import KIND_LABELS
from .errors import ConfigError

__all__ = ["Sent", "send_digests"]


@dataclass(frozen=True)
class Sent:
    """What a run did: e-mails sent, searches with nothing new."""

    sent: int
    unchanged: int


def send_digests(store, settings, *, base_url: str = "", since: str | None = None,
                 limit: int = 50) -> Sent:
    """Send every due digest; ``since`` (an ISO time) overrides each search's own mark.

    :raises ConfigError: no public address for the links, or no SMTP server.
    :raises OscartesError: the SMTP server refused (searches already sent keep their mark).
    """
    base = (base_url or settings.public_url).rstrip("/")
    if not base:
        raise ConfigError("les liens des courriels ont besoin de l'adresse publique du site "
                          "(OSCARTES_PUBLIC_URL ou --base-url) / digests need the site's public "
                          "address", rule="public_url")
    until = watch.now_text()  # compared as text with what the store gives back
    since = watch.check_time(since) if since else None
    connection = watch.catalogue_connection(catalogue.open_catalogue(
        store, cache_dir=settings.catalogue_cache or None, max_age=settings.catalogue_max_age))
    sent = unchanged = 0
    for saved in watch.with_digest(store):
        found = watch.recent_matches(store, connection, saved.query, limit=limit,
                                     since=since or saved.sent_until)
        if found:
            message = mail.compose(_digest(saved, found, base, settings.iri_base),
                                   sender=settings.smtp_from)
            mail.send([message], settings)
            sent += 1
        else:
            unchanged += 1
        watch.mark_sent(store, saved, until)
    return Sent(sent, unchanged)


def _digest(saved: watch.SavedSearch, found: list, base: str, iri_base: str) -> mail.Digest:
    query = saved.query.query_string()
    return mail.Digest(
        to=saved.email or "", search_name=saved.name, search_url=f"{base}/search?{query}",
        feed_url=f"{base}/watch/feed.atom?{query}",
        unsubscribe_url=f"{base}/watch/unsubscribe/{quote(saved.token)}",
        items=tuple(mail.Item(m.label, KIND_LABELS.get(m.kind, (m.kind,))[0],
                              _page(m.iri, base, iri_base), m.time) for m in found))


def _page(iri: str, base: str, iri_base: str) -> str:
    """The entity's page on this site (its IRI when it is not under ``iri_base``)."""
    return f"{base}/id/{iri[len(iri_base):]}" if iri.startswith(iri_base) else iri
