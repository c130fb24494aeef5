"""A person's rights under the GDPR: see everything stored about them (art. 15, and art. 20 in a
machine-readable form) and have it erased everywhere (art. 17).

What "about a person" means here: every quad, in every graph (public and private), whose
subject or object is the person's IRI; the records hanging from them (their consent records,
blank nodes such as an address, contact nodes); the user accounts that act for them
(``osc:actsFor``); their row in the search index; and the history of all of it
(``oscartes_kg.history``, which alone reads and writes the history graph: its ``export`` and
``forget`` cover the person, their records and their accounts). :func:`holdings` gathers it, :func:`export` writes it as one document,
:func:`erase` removes it. Making the removed bytes leave the disk (store files, search index) is
``oscartes_kg.purge``'s job, called after the store is closed.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from . import catalogue, changes, dumps, graphs, purge, watch
from .errors import ConfigError, NotFound, UsageError
from .namespaces import PREFIXES

__all__ = ["Holdings", "Erasure", "holdings", "export", "erase", "serialize", "FORMATS",
           "ERASE_MESSAGE", "CHANNEL", "person_iri"]

OSC = "https://w3id.org/oscartes/ns#"
SCHEMA = "http://schema.org/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
ACTS_FOR = ox.NamedNode(OSC + "actsFor")
PASSWORD_HASH = ox.NamedNode(OSC + "passwordHash")
#: Links whose object is a record of the person's own (their consent, their address or contact
#: card): it goes with the person, unless something else points at it too (a shared address).
RECORD_LINKS = frozenset(OSC + name for name in ("consent",)) | frozenset(
    SCHEMA + name for name in ("address", "contactPoint")) | frozenset(
    VCARD + name for name in ("hasAddress", "hasEmail", "hasTelephone"))
#: The message and channel of the erase's changeset: they name no personal data (art. 17).
ERASE_MESSAGE = "gdpr erase"
CHANNEL = "gdpr"
FORMATS = ("jsonld", "trig", "nquads")
#: The export document's own description (its header), in the document's default graph.
EXPORT_NODE = ox.NamedNode("urn:oscartes-kg:gdpr-export")
_PREFIXES = {**{k: v for k, v in PREFIXES.items() if k != "oscid"}, "vcard": VCARD}


@dataclass(frozen=True)
class Holdings:
    """What the store holds about one person (password hashes are counted, never kept here
    unless ``with_secrets``: only the erase needs them, to remove them)."""

    person: ox.NamedNode
    quads: tuple[ox.Quad, ...]        # about the person, pointing at them, and their records
    records: tuple[ox.NamedNode, ...]  # their own records with an IRI (consent...)
    accounts: tuple[ox.NamedNode, ...]
    account_quads: tuple[ox.Quad, ...]
    hashes_left_out: int

    @property
    def empty(self) -> bool:
        """Nothing at all is stored about this IRI."""
        return not self.quads and not self.account_quads


@dataclass(frozen=True)
class Erasure:
    """What :func:`erase` did: quads removed per graph, accounts removed, the files remade."""

    person: str
    removed: dict
    accounts: int
    forgotten: tuple[str, ...]
    dumps: tuple[str, ...]


def person_iri(iri: str) -> ox.NamedNode:
    """The IRI given on the command line, checked.

    >>> person_iri("https://w3id.org/oscartes/id/person/camille").value
    'https://w3id.org/oscartes/id/person/camille'

    :raises UsageError: not an absolute IRI.
    """
    try:
        node = ox.NamedNode(iri.strip())
    except ValueError:
        node = None
    if node is None or ":" not in node.value:
        raise UsageError(f"IRI invalide « {iri} » : donnez l'IRI complète de la personne, par "
                         f"exemple https://w3id.org/oscartes/id/person/... / invalid IRI {iri!r}: "
                         "give the person's full IRI", entity=iri, rule="iri")
    return node


def holdings(store, person: ox.NamedNode, *, with_secrets: bool = False) -> Holdings:
    """Gather everything ``store`` holds about ``person``, in every graph.

    :raises NotFound: no quad names this IRI, in any graph.
    """
    about = [q for q in store.quads(person, None, None, None) if q.graph_name != graphs.PRIVATE_HISTORY]
    pointing = [q for q in store.quads(None, None, person, None)
                if q.subject != person and q.graph_name != graphs.PRIVATE_HISTORY]
    records, record_quads = _records(store, person, about)
    accounts = sorted({q.subject for q in pointing if q.predicate == ACTS_FOR
                       and q.graph_name == graphs.PRIVATE_ACCOUNTS
                       and isinstance(q.subject, ox.NamedNode)}, key=lambda n: n.value)
    account_quads = [q for account in accounts
                     for q in store.quads(account, None, None, graphs.PRIVATE_ACCOUNTS)]
    account_quads += watch.quads_of(store, accounts)  # their saved searches (issue 7, the watch)
    hashes = [q for q in account_quads if q.predicate == PASSWORD_HASH]
    if not with_secrets:
        account_quads = [q for q in account_quads if q.predicate != PASSWORD_HASH]
    quads = list(dict.fromkeys(about + pointing + record_quads))
    account_quads = [q for q in account_quads if q not in set(quads)]
    found = Holdings(person, tuple(quads), tuple(records), tuple(accounts), tuple(account_quads),
                     len(hashes))
    if found.empty:
        raise NotFound(f"rien n'est enregistré sur {person.value} (aucun triplet, dans aucun "
                       f"graphe) / nothing is stored about {person.value} (no quad in any graph)",
                       entity=person.value, rule="gdpr")
    return found


def _records(store, person: ox.NamedNode, about: list[ox.Quad]) -> tuple[list, list]:
    """The person's own records (objects of ``RECORD_LINKS`` that nothing else points at, and
    blank nodes, followed down) and their quads."""
    records: list[ox.NamedNode] = []
    quads: list[ox.Quad] = []
    seen = {person}
    todo = [q.object for q in about if _owned(store, q, person)]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        if isinstance(node, ox.NamedNode):
            records.append(node)
        for quad in store.quads(node, None, None, None):
            if quad.graph_name == graphs.PRIVATE_HISTORY:
                continue
            quads.append(quad)
            if isinstance(quad.object, ox.BlankNode):
                todo.append(quad.object)
    return records, quads


def _owned(store, quad: ox.Quad, person: ox.NamedNode) -> bool:
    """Whether the object of ``quad`` is a record that belongs to ``person`` alone."""
    node = quad.object
    if isinstance(node, ox.BlankNode):
        return True
    if not isinstance(node, ox.NamedNode) or quad.predicate.value not in RECORD_LINKS:
        return False
    return all(q.subject == person for q in store.quads(None, None, node, None)
               if q.graph_name != graphs.PRIVATE_HISTORY)


# --- export (art. 15 and 20) -----------------------------------------------------------------------

def export(store, iri: str, *, catalogue_dir: Path | str | None = None) -> list[ox.Quad]:
    """Everything stored about the person ``iri`` as one dataset: a header in the default
    graph (what this is; the search-index row and the history as JSON literals), then every
    quad in its own graph and the accounts acting for them (without password hashes).

    :raises UsageError: ``iri`` is not an IRI.
    :raises NotFound: nothing is stored about it.
    :raises ConfigError: the history module is missing (an export without history would be
        incomplete, so none is made).
    """
    history = _history_api()
    person = person_iri(iri)
    found = holdings(store, person)
    past = _history(history, store, (person, *found.records, *found.accounts))
    row = search_row(store, person, catalogue_dir)
    data = sorted(dict.fromkeys([*found.quads, *found.account_quads]),
                  key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    return _header(found, row, past) + data


def _history(history, store, nodes) -> list[dict]:
    """The changesets that mention any of ``nodes`` (``history.export``), once each with the
    changed quads about any of them; ``changed`` keeps only their own IRIs (the other entities
    a changeset wrote are other people's business, art. 15(4))."""
    mine = {node.value for node in nodes}
    merged: dict = {}
    for node in nodes:
        for record in history.export(store, node.value):
            kept = merged.setdefault(record.get("id"), {**record, "added_quads": "",
                                                        "removed_quads": ""})
            for key in ("added_quads", "removed_quads"):
                lines = dict.fromkeys(kept[key].splitlines() + (record.get(key) or "").splitlines())
                kept[key] = "".join(line + "\n" for line in lines)
            kept["changed"] = [iri for iri in record.get("changed", []) if iri in mine]
    return [merged[key] for key in sorted(merged, key=str)]


def search_row(store, person: ox.NamedNode, catalogue_dir=None) -> dict | None:
    """The person's row in the search index (entity and full-text columns), if any."""
    path = catalogue.location(store, catalogue_dir)
    if not path.exists():
        return None
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        connection.row_factory = sqlite3.Row
        entity = connection.execute("SELECT * FROM entity WHERE iri = ?", (person.value,)).fetchone()
        if entity is None:
            return None
        text = connection.execute("SELECT labels, alt, description FROM text WHERE rowid = ?",
                                  (entity["id"],)).fetchone()
        return {**dict(entity), **(dict(text) if text else {})}
    except sqlite3.DatabaseError:  # no index built yet
        return None
    finally:
        connection.close()


def _header(found: Holdings, row: dict | None, past: list[dict]) -> list[ox.Quad]:
    """The document's description of itself, in French and English."""
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    fr = ("Export RGPD (art. 15 et 20) de tout ce que la base OSCARTES enregistre sur "
          f"{found.person.value} : les triplets de chaque graphe, publics et privés, où cette IRI "
          "est sujet ou objet ; ses enregistrements (consentement, coordonnées) ; les comptes qui "
          "agissent pour elle, sans l'empreinte du mot de passe, qui n'est jamais exportée "
          f"({found.hashes_left_out} omise(s)) ; sa ligne de l'index de recherche "
          f"({'ci-dessous, en JSON' if row else 'aucune'}) ; l'historique de ses modifications "
          f"({len(past)} modification(s), en JSON ci-dessous).")
    en = ("GDPR export (art. 15 and 20) of everything the OSCARTES knowledge base stores about "
          f"{found.person.value}: the quads of every graph, public and private, whose subject or "
          "object is this IRI; their records (consent, contact details); the accounts acting for "
          "them, without the password hash, which is never exported "
          f"({found.hashes_left_out} left out); their search-index row "
          f"({'below, as JSON' if row else 'none'}); the history of their changes "
          f"({len(past)} changeset(s), below as JSON).")
    default = ox.DefaultGraph()
    quads = [
        ox.Quad(EXPORT_NODE, ox.NamedNode(RDFS + "comment"), ox.Literal(fr, language="fr"), default),
        ox.Quad(EXPORT_NODE, ox.NamedNode(RDFS + "comment"), ox.Literal(en, language="en"), default),
        ox.Quad(EXPORT_NODE, ox.NamedNode(DCTERMS + "subject"), found.person, default),
        ox.Quad(EXPORT_NODE, ox.NamedNode(DCTERMS + "created"),
                ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime")), default),
    ]
    if row is not None:  # the search-index row
        quads.append(ox.Quad(EXPORT_NODE, ox.NamedNode(DCTERMS + "description"), _json(row), default))
    if past:  # the changesets that mention them, with the changed quads about them
        quads.append(ox.Quad(EXPORT_NODE, ox.NamedNode(DCTERMS + "provenance"), _json(past), default))
    return quads


def _json(value) -> ox.Literal:
    """A JSON literal (``rdf:JSON``, RDF 1.1 JSON-LD section 10.2)."""
    return ox.Literal(json.dumps(value, ensure_ascii=False, sort_keys=True),
                      datatype=ox.NamedNode(RDF + "JSON"))


def serialize(quads: list[ox.Quad], format: str = "jsonld") -> bytes:
    """Write an export as indented JSON-LD (keys written with the usual prefixes), TriG or
    N-Quads; TriG and N-Quads start with the header as ``#`` comment lines.

    >>> q = ox.Quad(ox.NamedNode("http://e/p"), ox.NamedNode(RDFS + "label"), ox.Literal("x"),
    ...             ox.NamedNode("http://e/g"))
    >>> json.loads(serialize([q]))["@graph"][0]["@graph"][0]["rdfs:label"]
    [{'@value': 'x'}]

    :raises UsageError: an unknown format.
    """
    if format == "jsonld":
        expanded = _inline_json(json.loads(ox.serialize(quads, format=ox.RdfFormat.JSON_LD)))
        context = {"@version": 1.1, **dict(sorted(_PREFIXES.items()))}
        document = {"@context": context, "@graph": _compact_keys(expanded)}
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
    if format not in FORMATS:
        raise UsageError(f"format inconnu « {format} » : {', '.join(FORMATS)} / unknown format",
                         rule="format")
    comments = [q.object.value for q in quads
                if q.subject == EXPORT_NODE and q.predicate.value == RDFS + "comment"]
    header = "".join(f"# {line}\n" for line in comments).encode()
    if format == "trig":
        return header + ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_PREFIXES)
    return header + ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def _inline_json(value):
    """JSON literals written as JSON (``"@type": "@json"``, JSON-LD 1.1), not as escaped text."""
    if isinstance(value, list):
        return [_inline_json(v) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("@type") == RDF + "JSON" and isinstance(value.get("@value"), str):
        return {"@type": "@json", "@value": json.loads(value["@value"])}
    return {k: _inline_json(v) for k, v in value.items()}


def _compact_keys(value):
    """Expanded JSON-LD with property keys written as ``prefix:name`` (same IRIs once the
    document's ``@context`` is applied; values are left as they are)."""
    if isinstance(value, list):
        return [_compact_keys(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {_curie(k): v if k == "@value" else _compact_keys(v) for k, v in value.items()}


def _curie(key: str) -> str:
    if key.startswith("@"):
        return key
    for prefix, base in _PREFIXES.items():
        local = key[len(base):]
        if key.startswith(base) and local and all(c.isalnum() or c in "_-" for c in local):
            return f"{prefix}:{local}"
    return key


# --- erase (art. 17) -----------------------------------------------------------------------------

def erase(store, iri: str, *, author: str | None = None, catalogue_dir: Path | str | None = None,
          dumps_dir: Path | str | None = None) -> Erasure:
    """Remove the person ``iri`` from every graph (their quads, the quads pointing at them,
    their records and contacts, the accounts acting for them), from the history, the search
    index, the derived keys and the public dumps and counts, which are made again.

    One write through ``changes.apply`` (admin role, channel ``gdpr``, message
    ``ERASE_MESSAGE``: no personal data in the changeset's description), all or nothing; then
    ``history.forget`` for each erased IRI. The bytes may still sit in the store's files until
    ``purge.rewrite_store`` runs on the closed store (the CLI does it).

    :raises UsageError: ``iri`` is not an IRI.
    :raises NotFound: nothing is stored about it.
    :raises RejectedInput: removing it would break a shape elsewhere (the report says where);
        nothing was removed.
    :raises ConfigError: the history module is missing (nothing was removed).
    """
    history = _history_api()
    person = person_iri(iri)
    found = holdings(store, person, with_secrets=True)
    if catalogue_dir is not None:  # so that the write path refreshes this index file
        catalogue.open_catalogue(store, cache_dir=catalogue_dir)
    removed = [*found.quads, *found.account_quads]
    change = changes.Change(removed=removed, targets={q.graph_name for q in removed})
    result = changes.apply(store, change, role="admin", author=author, message=ERASE_MESSAGE,
                           channel=CHANNEL)
    forgotten = (person, *found.records, *found.accounts)
    for node in forgotten:
        history.forget(store, node.value)
    store.flush()
    purge.vacuum_catalogue(catalogue.location(store, catalogue_dir))
    remade = remake_dumps(store, dumps_dir)
    return Erasure(person.value, result.removed, len(found.accounts),
                   tuple(n.value for n in forgotten), remade)


def remake_dumps(store, dumps_dir: Path | str | None = None) -> tuple[str, ...]:
    """Make the public dumps and the counts again now, so that no file made before the erase
    is left (``stamp_change`` alone would only make them stale, and a remote store's files
    expire by age): old files are deleted, then made again."""
    cache = dumps.open_cache(store, cache_dir=Path(dumps_dir) if dumps_dir else None)
    names = [*dumps.DUMPS, "statistics.json"]
    for name in names:
        for stale in (cache.folder / name, cache.folder / (name + ".version")):
            stale.unlink(missing_ok=True)
    for name in dumps.DUMPS:
        cache.dump(name)
    cache.statistics()
    return tuple(names)


def _history_api():
    """``oscartes_kg.history`` with its ``export`` and ``forget`` (issue 5, section 4).

    :raises ConfigError: it is missing: a GDPR export without the history would be incomplete
        and an erase would leave the person in it, so neither runs.
    """
    try:
        from . import history
    except ImportError:
        history = None
    missing = [name for name in ("export", "forget") if not hasattr(history, name)]
    if missing:
        raise ConfigError(
            "l'historique des modifications n'est pas disponible (oscartes_kg.history."
            f"{', '.join(missing)} manquant) : l'export et l'effacement RGPD seraient incomplets, "
            "rien n'a été fait / the change history is not available (oscartes_kg.history."
            f"{', '.join(missing)} missing): a GDPR export or erase would be incomplete, nothing "
            "was done", rule="gdpr-history")
    return history
