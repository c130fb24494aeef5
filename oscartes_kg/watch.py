"""The watch (veille): saved searches, the entities newly matching them, and who saved them.

A saved search is the query string of a ``/search`` URL (``q``, ``kind``, ``theme``,
``commune``: the same meaning as there, every chosen value must hold) with a name. Anyone can
follow one as an Atom feed; a logged-in user can save it and get it by e-mail (``mail``,
``cli_watch``).

*Newly matching* reads the write history (``oscartes_kg.history``): changesets newest first,
the entities each changed (``osc:changed``), kept when the search catalogue
(``oscartes_kg.catalogue``, public data only) says they match now. Matching is a handful of
indexed SQLite lookups per batch of entities, so a bulk load of 100,000 entities is read only
until a feed page is full.

Saved searches are personal data (who watches what, and an e-mail address): they live in the
private graph ``WATCH_GRAPH``, as ``schema:SearchAction`` resources whose ``schema:agent`` is
the account. No public route reads that graph (``graphs.is_public``); the GDPR export and
erasure of a person take the saved searches of the accounts acting for them (``quads_of``).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode

import pyoxigraph as ox

from . import graphs
from .catalogue import KIND_LABELS
from .catalogue.query import match_query
from .errors import NotFound, UsageError
from .store import sparql_term

__all__ = ["WATCH_GRAPH", "Query", "SavedSearch", "Match", "parse_query", "matching",
           "recent_matches", "check_time", "now_text", "catalogue_connection", "save", "saved_by", "get", "delete", "by_token", "stop_digest",
           "mark_sent", "with_digest", "quads_of", "MAX_VALUES"]

WATCH_GRAPH = graphs.PRIVATE_WATCH
SCHEMA = "http://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
OSCID = "https://w3id.org/oscartes/id/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SEARCH_ACTION = ox.NamedNode(SCHEMA + "SearchAction")
NAME, QUERY, AGENT, EMAIL = (ox.NamedNode(SCHEMA + p) for p in ("name", "query", "agent", "email"))
#: The unsubscribe token of the digest (random; it only ever stops the digest).
TOKEN = ox.NamedNode(SCHEMA + "identifier")
#: Digests have been sent for changes up to this time.
SENT_UNTIL = ox.NamedNode(SCHEMA + "endTime")
CREATED = ox.NamedNode(DCTERMS + "created")
XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
#: Values a saved search may hold per parameter, and the longest text.
MAX_VALUES = 10
MAX_TEXT = 200
#: Entities checked against the catalogue in one SQL statement.
BATCH = 500
_PARAMS = ("q", "kind", "theme", "commune")


@dataclass(frozen=True)
class Query:
    """What a saved search looks for (the ``/search`` parameters)."""

    q: str = ""
    kinds: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()

    def pairs(self) -> list[tuple[str, str]]:
        """The URL parameters, in a stable order."""
        return ([("q", self.q)] if self.q else []) + [("kind", k) for k in self.kinds] + \
            [("theme", t) for t in self.themes] + [("commune", c) for c in self.communes]

    def query_string(self) -> str:
        """``q=...&kind=...``: what ``/search``, ``/watch/feed.atom`` and storage take.

        >>> Query("vélo", ("event",)).query_string()
        'q=v%C3%A9lo&kind=event'
        """
        return urlencode(self.pairs())

    @property
    def empty(self) -> bool:
        return not (self.q or self.kinds or self.themes or self.communes)


@dataclass(frozen=True)
class SavedSearch:
    """A user's saved search; ``email`` is None when no digest is wanted."""

    iri: str
    name: str
    query: Query
    owner: str
    created: str
    email: str | None = None
    token: str = ""
    sent_until: str | None = None

    @property
    def id(self) -> str:
        return self.iri.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Match:
    """An entity newly matching a search: when it was last written, and what lists show."""

    iri: str
    kind: str
    label: str
    label_en: str
    time: str
    categories: tuple[str, ...] = field(default=())


def parse_query(pairs) -> Query:
    """A :class:`Query` from URL parameters (a ``MultiDict``, or a list of pairs).

    >>> parse_query([("kind", "event"), ("q", " fête ")])
    Query(q='fête', kinds=('event',), themes=(), communes=())

    :raises UsageError: an unknown kind, a theme or commune that is not an IRI, too many values.
    """
    items = list(pairs.items(multi=True)) if hasattr(pairs, "items") and hasattr(pairs, "getlist") \
        else list(pairs)
    values: dict[str, list[str]] = {name: [] for name in _PARAMS}
    for key, value in items:
        if key in values and value.strip() and value.strip() not in values[key]:
            values[key].append(value.strip())
    for name in _PARAMS:
        if len(values[name]) > MAX_VALUES:
            raise UsageError(f"trop de valeurs pour « {name} » (au plus {MAX_VALUES}) / too many "
                             f"values for {name}", prop=name, rule="watch-values")
    for kind in values["kind"]:
        if kind not in KIND_LABELS:
            raise UsageError(f"type inconnu : « {kind[:40]} » (attendu : {', '.join(KIND_LABELS)}) "
                             f"/ unknown kind", prop="kind", rule="kind")
    for name in ("theme", "commune"):
        for value in values[name]:
            if not value.startswith(("http://", "https://")) or len(value) > 500 or any(
                    c in value for c in ' <>"{}|\\^`'):
                raise UsageError(f"« {value[:60]} » n'est pas une IRI pour « {name} » / not an IRI",
                                 prop=name, rule="iri")
    return Query(" ".join(values["q"])[:MAX_TEXT], tuple(values["kind"]), tuple(values["theme"]),
                 tuple(values["commune"]))


def matching(connection, query: Query, iris: list[str]) -> dict[str, tuple]:
    """Which of ``iris`` match ``query`` in the catalogue ``connection``: IRI -> (kind, label,
    English label). Indexed lookups only: the entities by IRI, then each term's facet rows and
    the full-text match restricted to those entities."""
    found: dict[str, tuple] = {}
    for start in range(0, len(iris), BATCH):
        chunk = iris[start:start + BATCH]
        marks = ", ".join("?" * len(chunk))
        rows = {row[0]: row[1:] for row in connection.execute(
            f"SELECT id, iri, kind, label, label_en FROM entity WHERE iri IN ({marks})", chunk)}
        ids = {i for i, (_, kind, _, _) in rows.items() if not query.kinds or kind in query.kinds}
        for term in query.themes + query.communes:
            if not ids:
                break
            marks = ", ".join("?" * len(ids))
            ids &= {row[0] for row in connection.execute(
                f"SELECT f.entity FROM facet f JOIN term t ON t.id = f.term WHERE t.iri = ? "
                f"AND f.entity IN ({marks})", [term, *ids])}
        text = match_query(query.q) if query.q else None
        if ids and text:
            marks = ", ".join("?" * len(ids))
            ids &= {row[0] for row in connection.execute(
                f"SELECT rowid FROM text WHERE text MATCH ? AND rowid IN ({marks})", [text, *ids])}
        elif query.q and not text:
            ids = set()
        found.update({rows[i][0]: rows[i][1:] for i in ids})
    return found


def _changesets(store, since: str | None, limit: int) -> list[tuple[ox.NamedNode, str]]:
    """(changeset, time) of the latest ``limit`` changesets (after ``since``), newest first."""
    ended = sparql_term(ox.NamedNode("http://www.w3.org/ns/prov#endedAtTime"))
    after = f"FILTER(?t > {sparql_term(ox.Literal(check_time(since), datatype=XSD_DATETIME))})" \
        if since else ""
    text = (f"SELECT ?cs ?t WHERE {{ GRAPH {sparql_term(graphs.PRIVATE_HISTORY)} {{ ?cs {ended} ?t "
            f"{after} }} }} ORDER BY DESC(?t) DESC(?cs) LIMIT {int(limit)}")
    return [(row["cs"], row["t"].value) for row in store.query(text)]


def recent_matches(store, connection, query: Query, *, since: str | None = None,
                   limit: int = 50, changesets: int = 500) -> list[Match]:
    """Entities that match ``query`` now, written by the latest changesets (after ``since``,
    an ISO time), the most recently written first; at most ``limit``.

    >>> import tempfile; from pathlib import Path; from oscartes_kg import bootstrap, catalogue
    >>> from oscartes_kg.store import open_store
    >>> with open_store(data=Path(tempfile.mkdtemp())) as store:
    ...     _ = bootstrap.init_store(store, demo=True)
    ...     found = recent_matches(store, catalogue_connection(catalogue.open_catalogue(store)),
    ...                            parse_query([("q", "fete des possibles"), ("kind", "event")]))
    ...     [m.label for m in found]
    ['Fête des possibles 2021']
    """
    changed = ox.NamedNode("https://w3id.org/oscartes/ns#changed")
    seen: set[str] = set()
    found: list[Match] = []
    for changeset, time in _changesets(store, since, changesets):
        entities = sorted(q.object.value for q in store.quads(changeset, changed, None,
                                                              graphs.PRIVATE_HISTORY)
                          if isinstance(q.object, ox.NamedNode) and q.object.value not in seen)
        seen.update(entities)
        for start in range(0, len(entities), BATCH):
            hits = matching(connection, query, entities[start:start + BATCH])
            found += [Match(iri, *hits[iri][:3], time=time) for iri in sorted(hits)]
            if len(found) >= limit:
                return found[:limit]
    return found


def catalogue_connection(catalogue):
    """A read connection to ``catalogue``'s file, brought up to date first (the catalogue
    rebuilds a missing or stale file before answering, as search does)."""
    return catalogue.reader()


def check_time(text: str) -> str:
    """``text`` if it is an ISO date-time with its offset, in UTC with a ``Z``.

    >>> check_time("2026-01-01T01:00:00+01:00")
    '2026-01-01T00:00:00Z'

    :raises UsageError: not such a time.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise UsageError(f"date invalide « {str(text)[:40]} » : attendu une date et une heure ISO "
                         f"avec fuseau, par exemple 2026-01-01T00:00:00+00:00 / invalid time",
                         prop="since", rule="datetime")
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


# --- saved searches (private graph) ------------------------------------------------------------

def now_text() -> str:
    """Now, in the canonical form the store gives an xsd:dateTime back: pyoxigraph drops a
    fraction's trailing zeros ("…17.166760Z" comes back as "…17.16676Z"), so drop them first.

    >>> import re; bool(re.fullmatch(r"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d*[1-9])?Z", now_text()))
    True
    """
    stamp = datetime.now(timezone.utc).isoformat().replace("+00:00", "")
    if "." in stamp:
        stamp = stamp.rstrip("0").rstrip(".")
    return stamp + "Z"


def save(store, owner: str, name: str, query: Query, *, email: str | None = None) -> SavedSearch:
    """Save ``query`` as ``name`` for the account ``owner``; one atomic write.

    :raises UsageError: no name, an empty query or an e-mail address that is not one.
    """
    name = " ".join((name or "").split())[:120]
    if len(name) < 2:
        raise UsageError("donnez un nom à la veille (2 à 120 caractères) / give the saved search "
                         "a name (2 to 120 characters)", prop="schema:name", rule="watch-name")
    if query.empty:
        raise UsageError("la veille ne cherche rien : choisissez un mot, un thème, une commune "
                         "ou un type / the search is empty", prop="schema:query", rule="watch-query")
    email = (email or "").strip() or None
    if email is not None and (len(email) > 254 or email.count("@") != 1 or " " in email
                              or "." not in email.split("@")[1] or any(c in email for c in "\r\n<>,;")):
        raise UsageError(f"adresse électronique invalide « {email[:60]} » / invalid e-mail address",
                         prop="schema:email", rule="email")
    node = ox.NamedNode(f"{OSCID}watch/{secrets.token_hex(8)}")
    created = now_text()
    token = secrets.token_urlsafe(24)
    quads = [ox.Quad(node, RDF_TYPE, SEARCH_ACTION, WATCH_GRAPH),
             ox.Quad(node, NAME, ox.Literal(name), WATCH_GRAPH),
             ox.Quad(node, QUERY, ox.Literal(query.query_string()), WATCH_GRAPH),
             ox.Quad(node, AGENT, ox.NamedNode(owner), WATCH_GRAPH),
             ox.Quad(node, CREATED, ox.Literal(created, datatype=XSD_DATETIME), WATCH_GRAPH),
             ox.Quad(node, SENT_UNTIL, ox.Literal(created, datatype=XSD_DATETIME), WATCH_GRAPH),
             ox.Quad(node, TOKEN, ox.Literal(token), WATCH_GRAPH)]
    if email:
        quads.append(ox.Quad(node, EMAIL, ox.Literal(email), WATCH_GRAPH))
    store.apply([], quads)
    store.flush()
    return _read(node.value, quads)


def _read(iri: str, quads) -> SavedSearch:
    values = {q.predicate: q.object for q in quads}
    return SavedSearch(
        iri=iri, name=values[NAME].value,
        query=parse_query(parse_qsl(values[QUERY].value, keep_blank_values=False)),
        owner=values[AGENT].value, created=values[CREATED].value,
        email=values[EMAIL].value if EMAIL in values else None,
        token=values[TOKEN].value if TOKEN in values else "",
        sent_until=values[SENT_UNTIL].value if SENT_UNTIL in values else None)


def _load(store, node: ox.NamedNode) -> SavedSearch | None:
    quads = list(store.quads(node, None, None, WATCH_GRAPH))
    return _read(node.value, quads) if quads else None


def saved_by(store, owner: str) -> list[SavedSearch]:
    """The saved searches of the account ``owner``, newest first."""
    nodes = {q.subject for q in store.quads(None, AGENT, ox.NamedNode(owner), WATCH_GRAPH)}
    found = [s for s in (_load(store, n) for n in nodes) if s]
    return sorted(found, key=lambda s: (s.created, s.iri), reverse=True)


def with_digest(store) -> list[SavedSearch]:
    """Every saved search that wants an e-mail digest."""
    nodes = {q.subject for q in store.quads(None, EMAIL, None, WATCH_GRAPH)}
    return sorted((s for s in (_load(store, n) for n in nodes) if s), key=lambda s: s.iri)


def get(store, watch_id: str, owner: str) -> SavedSearch:
    """The saved search ``watch_id`` of ``owner``.

    :raises NotFound: no such saved search for this account (another's is not found either).
    """
    if not watch_id.isalnum():
        raise NotFound("veille inconnue / unknown saved search", entity=watch_id[:40], rule="watch")
    found = _load(store, ox.NamedNode(f"{OSCID}watch/{watch_id}"))
    if found is None or found.owner != owner:
        raise NotFound("veille inconnue / unknown saved search", entity=watch_id, rule="watch")
    return found


def delete(store, watch_id: str, owner: str) -> None:
    """Remove a saved search of ``owner`` entirely (one write).

    :raises NotFound: as :func:`get`.
    """
    found = get(store, watch_id, owner)
    store.apply(list(store.quads(ox.NamedNode(found.iri), None, None, WATCH_GRAPH)), [])
    store.flush()


def by_token(store, token: str) -> SavedSearch:
    """The saved search whose unsubscribe token is ``token``.

    :raises NotFound: no saved search has it.
    """
    nodes = [q.subject for q in store.quads(None, TOKEN, ox.Literal(token[:100]), WATCH_GRAPH)]
    found = _load(store, nodes[0]) if nodes else None
    if found is None:
        raise NotFound("lien de désinscription inconnu ou déjà utilisé / unknown unsubscribe link",
                       rule="watch-token")
    return found


def stop_digest(store, saved: SavedSearch) -> None:
    """Stop the e-mail digest of ``saved`` (the search itself stays saved); one write."""
    node = ox.NamedNode(saved.iri)
    store.apply(list(store.quads(node, EMAIL, None, WATCH_GRAPH)), [])
    store.flush()


def mark_sent(store, saved: SavedSearch, until: str) -> None:
    """Record that digests of ``saved`` cover changes up to ``until``; one write."""
    node = ox.NamedNode(saved.iri)
    store.apply(list(store.quads(node, SENT_UNTIL, None, WATCH_GRAPH)),
                [ox.Quad(node, SENT_UNTIL, ox.Literal(until, datatype=XSD_DATETIME), WATCH_GRAPH)])
    store.flush()


def quads_of(store, accounts) -> list[ox.Quad]:
    """Every quad of the saved searches of ``accounts`` (for a person's GDPR export and erasure)."""
    quads: list[ox.Quad] = []
    for account in accounts:
        for link in store.quads(None, AGENT, ox.NamedNode(getattr(account, "value", account)),
                                WATCH_GRAPH):
            quads += store.quads(link.subject, None, None, WATCH_GRAPH)
    return quads
