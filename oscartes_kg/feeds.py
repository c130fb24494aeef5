"""Atom feeds (RFC 4287) of the watch: calls for projects, and new and updated initiatives.

Built with ``feedgen``, which writes the required elements (feed id, title, updated, author;
entry id, title, updated) and escapes text. An entry's ``updated`` is the resource's own date
when the data have one: ``dcterms:modified``, else ``dcterms:created``; an initiative also
counts the date of its charter review (when it was attested) and its ``schema:startDate``.
The data model keeps no other change date (ontology/README.md), so an entry without any of these
takes the time the data last changed (the store's change stamp, :mod:`oscartes_kg.dumps`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pyoxigraph as ox
from feedgen.feed import FeedGenerator

from . import details, dumps, labels, versioned
from .queries import run_text

__all__ = ["Entry", "Feed", "atom", "recent_initiatives", "data_changed_at", "moment"]

PARIS = ZoneInfo("Europe/Paris")
OSC = "https://w3id.org/oscartes/ns#"
DCTERMS = "http://purl.org/dc/terms/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

# One query per kind of date, each keeping its latest ``limit`` initiatives: the latest
# ``limit`` initiatives by their latest date are among them (an initiative ranked higher by its
# latest date ranks higher in that date's own list). Few resources carry dcterms:modified or
# created: LATERAL (Oxigraph, SEP-0006) checks the class of each, where a join would start from
# every initiative; review and start dates are read by a plain join.
_RECENT = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <http://schema.org/>
PREFIX osc: <https://w3id.org/oscartes/ns#>
SELECT ?initiative ?date WHERE { %s }
ORDER BY DESC(STR(?date)) ?initiative
LIMIT %d"""
_DATED_BY = ("?initiative dcterms:modified ?date LATERAL { ?initiative a osc:Initiative }",
             "?initiative dcterms:created ?date LATERAL { ?initiative a osc:Initiative }",
             "?initiative osc:hasCharterReview ?review . ?review dcterms:date ?date",
             "?initiative a osc:Initiative ; schema:startDate ?date")
_UNDATED = """PREFIX osc: <https://w3id.org/oscartes/ns#>
SELECT ?initiative WHERE { ?initiative a osc:Initiative } LIMIT %d"""


@dataclass(frozen=True)
class Entry:
    """One Atom entry: ``id`` is the resource's IRI, ``link`` its page on this site."""

    id: str
    title: str
    updated: datetime
    link: str
    summary: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    """An Atom feed: ``id`` and ``self_url`` are the feed's own URL, ``site_url`` its page."""

    id: str
    title: str
    self_url: str
    site_url: str
    lang: str = "fr"
    subtitle: str = ""


def atom(feed: Feed, entries: list[Entry], *, fallback: datetime) -> bytes:
    """The Atom document: ``updated`` is the latest entry's, or ``fallback`` without entries.

    >>> when = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> text = atom(Feed("http://x/f.atom", "F", "http://x/f.atom", "http://x/"),
    ...             [Entry("https://w3id.org/oscartes/id/call/c", "C", when, "http://x/c")], fallback=when)
    >>> b"<id>https://w3id.org/oscartes/id/call/c</id>" in text
    True
    """
    generator = FeedGenerator()
    generator.id(feed.id)
    generator.title(feed.title)
    if feed.subtitle:
        generator.subtitle(feed.subtitle)
    generator.link(href=feed.self_url, rel="self", type="application/atom+xml")
    generator.link(href=feed.site_url, rel="alternate", type="text/html")
    generator.author({"name": "Collectif OSCARTES"})
    generator.rights("CC BY-SA 4.0")
    generator.language(feed.lang)
    generator.updated(max((entry.updated for entry in entries), default=fallback))
    for entry in entries:
        item = generator.add_entry(order="append")
        item.id(entry.id)
        item.title(entry.title)
        item.updated(entry.updated)
        item.link(href=entry.link, rel="alternate", type="text/html")
        if entry.summary:
            item.summary(entry.summary)
        for term in entry.categories:
            item.category(term=term)
    return generator.atom_str(pretty=True)


def moment(text: str | None, fallback: datetime) -> datetime:
    """A date of any precision as a time (midnight in Paris, the first of the month or year).

    >>> moment("2021-05", datetime.now(timezone.utc)).isoformat()
    '2021-05-01T00:00:00+02:00'
    """
    if not text:
        return fallback
    try:
        if "T" in text:
            parsed = datetime.fromisoformat(text)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=PARIS)
        year, month, day = int(text[:4]), int(text[5:7] or 1), int(text[8:10] or 1)
        return datetime(year, month, day, tzinfo=PARIS)
    except ValueError:
        return fallback


def data_changed_at(store) -> datetime:
    """When the data last changed: the change stamp's time on the embedded store, else now."""
    path = getattr(store, "path", None)
    if path is not None:
        stamp = Path(path) / "dumps" / dumps.STAMP
        if stamp.exists():
            return datetime.fromtimestamp(stamp.stat().st_mtime, timezone.utc).replace(microsecond=0)
    return datetime.now(timezone.utc).replace(microsecond=0)


def recent_initiatives(store, *, limit: int = 50, lang: str = "fr") -> list[tuple[str, str | None, str, str]]:
    """``(IRI, latest date or None, label, description)`` of the initiatives with the latest
    dates first (then, if fewer are dated, others without a date).

    Reading every initiative's dates costs seconds at 100,000 organisations (bench/RESULTS.md),
    so the answer is kept until the data change (:mod:`oscartes_kg.versioned`).
    """
    return versioned.cached(store, ("recent_initiatives", limit, lang),
                            lambda: _recent(store, limit, lang))


def _recent(store, limit: int, lang: str) -> list[tuple[str, str | None, str, str]]:
    latest: dict[str, str] = {}
    for pattern in _DATED_BY:
        for row in run_text(store, _RECENT % (pattern, limit)):
            iri, when = row["initiative"].value, row["date"].value
            latest[iri] = max(latest.get(iri, ""), when)
    chosen = sorted(latest, key=lambda iri: (latest[iri], iri), reverse=True)[:limit]
    if len(chosen) < limit:
        chosen += [row["initiative"].value for row in run_text(store, _UNDATED % (2 * limit))
                   if row["initiative"].value not in latest][:limit - len(chosen)]
    iris = [ox.NamedNode(iri) for iri in chosen]
    found = details.fetch(store, iris, OSC + "Initiative", [RDFS_LABEL, DCTERMS + "description"])
    return [(iri, latest.get(iri), labels.pick(found.of(iri).get(RDFS_LABEL, []), lang)
             or iri.rsplit("/", 1)[-1], labels.pick(found.of(iri).get(DCTERMS + "description", []), lang) or "")
            for iri in chosen if found.of(iri)]
