"""The one write path of contribution forms and the JSON-LD write API: create, replace, patch.

Forms and API hand over a *draft*: triples about ``THIS`` (the entry) and about blank nodes
(records it owns, such as a person's consent). This module mints the IRIs, checks who may write
(ownership), decides where each triple goes, then writes through ``changes.apply`` (role check,
shapes, all or nothing, history). The lifecycle is the issue 5 contract (ontology/README.md,
"Contributions"):

- a contributor's new organisation, initiative or person waits in ``PRIVATE_PROPOSALS`` with
  ``osc:proposalStatus osc:pending``; organisations and initiatives always go through review,
  whoever proposes them (an initiative is public only with an approved charter review);
- everything else goes straight to ``CONTRIBUTIONS``;
- every new entry gets ``osc:proposedBy`` (in ``PRIVATE_PROPOSALS``): its author may edit it;
- a person's contact details go to ``PRIVATE_CONTACTS`` (GDPR art. 5(1)(c) and 6).

An entry waiting for review is also checked as it would be once published (a person's consent
is required then): the curator should not find a proposal that can never be published.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from . import changes, entry_classes, graphs, ingest
from .errors import Forbidden, NotFound, RejectedInput, UsageError
from .namespaces import OSCID
from .validation import Report

__all__ = ["KIND_CLASSES", "REVIEWED_KINDS", "LIFECYCLE", "PERSON_CONTACT", "THIS", "Author",
           "Written", "Entry", "create", "replace", "patch", "own_triples", "can_edit",
           "check_can_edit", "entries_of", "kind_of", "mint_iri", "slugify", "entity_iri",
           "MAX_LITERAL"]

OSC = "https://w3id.org/oscartes/ns#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
DCTERMS_DATE = ox.NamedNode("http://purl.org/dc/terms/date")
PROPOSED_BY = ox.NamedNode(OSC + "proposedBy")
PROPOSAL_STATUS = ox.NamedNode(OSC + "proposalStatus")
HAS_REVIEW = ox.NamedNode(OSC + "hasCharterReview")
REVIEW_OUTCOME = ox.NamedNode(OSC + "reviewOutcome")
PENDING = ox.NamedNode(OSC + "pending")
DECLINED = ox.NamedNode(OSC + "declined")
WITHDRAWN = ox.NamedNode(OSC + "withdrawn")
REJECTED = ox.NamedNode(OSC + "rejected")

#: The class of a new entry of each kind (ontology/README.md, "IRIs": kinds).
KIND_CLASSES = {
    "organisation": ox.NamedNode(OSC + "Organisation"),
    "person": ox.NamedNode(OSC + "Person"),
    "initiative": ox.NamedNode(OSC + "Initiative"),
    "commons": ox.NamedNode(OSC + "Commons"),
    "resource": ox.NamedNode(OSC + "KnowledgeResource"),
    "event": ox.NamedNode(OSC + "Event"),
    "call": ox.NamedNode(OSC + "CallForProjects"),
    "need": ox.NamedNode(OSC + "Need"),
    "offer": ox.NamedNode(OSC + "Offer"),
}
#: Kinds that always wait for a curator's charter review before they are public.
REVIEWED_KINDS = frozenset({"organisation", "initiative"})
#: Kinds a contributor proposes (a person is published only once a curator checked the consent).
PROPOSED_KINDS = frozenset({"organisation", "initiative", "person"})
#: Written by the review workflow only: an edit keeps them as they are.
LIFECYCLE = frozenset({PROPOSED_BY, PROPOSAL_STATUS, HAS_REVIEW,
                       ox.NamedNode(OSC + "withdrawalReason")})
#: A person's contact details: never public (GDPR art. 5(1)(c), 6 and 7; shapes/personal-data.ttl).
PERSON_CONTACT = frozenset(ox.NamedNode(iri) for iri in (
    "http://schema.org/email", "http://schema.org/telephone", "http://schema.org/address",
    "http://www.w3.org/2006/vcard/ns#hasEmail", "http://www.w3.org/2006/vcard/ns#hasTelephone",
    "http://www.w3.org/2006/vcard/ns#hasAddress"))
#: Records an entry owns, replaced with it (and their kind for minted IRIs).
OWNED = {ox.NamedNode(OSC + "consent"): "consent"}
#: The entry of a draft, before it has an IRI.
THIS = ox.NamedNode("urn:oscartes:this")
#: The longest text accepted in one value (characters): 1 MB pasted in a field is an error.
MAX_LITERAL = 20_000
#: Graphs never written by the contribution layer (computed, personal, or schema).
_NOT_ENTRY = {graphs.DERIVED, graphs.PRIVATE_HISTORY, graphs.PRIVATE_ACCOUNTS, *graphs.SCHEMA_GRAPHS}
_SLUG_CUT = 60


@dataclass(frozen=True)
class Author:
    """Who writes: the account (or API token) IRI and its role."""

    iri: str
    role: str


@dataclass(frozen=True)
class Written:
    """What a write did: the entry, its status afterwards and the change result (warnings)."""

    iri: str
    kind: str
    slug: str
    status: str          # "published" | "pending" | "declined" | "withdrawn"
    result: changes.ChangeResult

    @property
    def path(self) -> str:
        return f"/id/{self.kind}/{self.slug}"


@dataclass(frozen=True)
class Entry:
    """One entry of a contributor, for « Mes contributions »."""

    iri: str
    kind: str
    slug: str
    label: str
    status: str          # "published" | "pending" | "declined" | "withdrawn"
    reason: str | None = None   # the rejecting review's rdfs:comment

    @property
    def path(self) -> str:
        return f"/id/{self.kind}/{self.slug}"


# --- IRIs ----------------------------------------------------------------------------------------

def slugify(label: str) -> str:
    """The label in lower-case ASCII with hyphens (ontology/README.md, "IRIs").

    >>> slugify("  Jardin partagé de l'Yvette — Œuvre ! ")
    'jardin-partage-de-l-yvette-uvre'
    >>> slugify("<script>")
    'script'
    """
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:_SLUG_CUT].rstrip("-") or "entree"


def mint_iri(kind: str, label: str) -> ox.NamedNode:
    """A new IRI ``{OSCID}{kind}/{slug}-{6 hex}``: random, so never reused.

    >>> re.fullmatch(r"https://w3id.org/oscartes/id/event/fete-[0-9a-f]{6}", mint_iri("event", "Fête").value) is not None
    True
    """
    return ox.NamedNode(f"{OSCID}{kind}/{slugify(label)}-{secrets.token_hex(3)}")


def entity_iri(kind: str, slug: str) -> ox.NamedNode:
    """The IRI of an entry of ``kind`` (one of ``KIND_CLASSES``) and ``slug``.

    :raises NotFound: unknown kind or a slug that is not one safe path segment.
    """
    if kind not in KIND_CLASSES or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*", slug or ""):
        raise NotFound(f"aucune fiche « {kind}/{slug} » / no entry '{kind}/{slug}'",
                       entity=f"{kind}/{slug}", rule="iri")
    return ox.NamedNode(f"{OSCID}{kind}/{slug}")


def kind_of(iri: str) -> tuple[str, str]:
    """(kind, slug) of an entry IRI.

    >>> kind_of("https://w3id.org/oscartes/id/event/fete-1a2b3c")
    ('event', 'fete-1a2b3c')
    """
    rest = iri[len(str(OSCID)):] if iri.startswith(str(OSCID)) else ""
    kind, _, slug = rest.partition("/")
    if kind not in KIND_CLASSES or not slug or "/" in slug:
        raise NotFound(f"« {iri} » n'est pas une fiche modifiable / not an editable entry",
                       entity=iri, rule="iri")
    return kind, slug


# --- reading an entry ------------------------------------------------------------------------------

def _entry_quads(store, iri: ox.NamedNode) -> list[ox.Quad]:
    """Every stored quad of the entry and of the records it owns, in the graphs entries live in."""
    own = [q for q in store.quads(iri, None, None, None) if q.graph_name not in _NOT_ENTRY
           and isinstance(q.graph_name, ox.NamedNode)]
    owned_nodes = {q.object for q in own if q.predicate in OWNED
                   and isinstance(q.object, (ox.NamedNode, ox.BlankNode))}
    for node in owned_nodes:
        own += [q for q in store.quads(node, None, None, None) if q.graph_name not in _NOT_ENTRY
                and isinstance(q.graph_name, ox.NamedNode)]
    return own


def own_triples(store, iri: ox.NamedNode, *, private: bool = True) -> list[ox.Triple]:
    """The entry's own triples and those of the records it owns, without lifecycle triples;
    with ``private`` False, only what public graphs hold.

    :raises NotFound: nothing is stored about ``iri`` (in the graphs allowed).
    """
    quads = [q for q in _entry_quads(store, iri) if q.predicate not in LIFECYCLE
             and (private or graphs.is_public(q.graph_name))]
    if not any(q.subject == iri for q in quads):
        raise NotFound(f"aucune fiche <{iri.value}> / no entry <{iri.value}>", entity=iri.value,
                       rule="entity")
    return list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))


def _proposers(store, iri: ox.NamedNode) -> set[str]:
    return {q.object.value for q in store.quads(iri, PROPOSED_BY, None, graphs.PRIVATE_PROPOSALS)}


def _status(store, iri: ox.NamedNode) -> str:
    found = [q.object for q in store.quads(iri, PROPOSAL_STATUS, None, graphs.PRIVATE_PROPOSALS)]
    names = {PENDING: "pending", DECLINED: "declined", WITHDRAWN: "withdrawn"}
    return names.get(found[0], "pending") if found else "published"


def can_edit(store, iri: ox.NamedNode, author: Author) -> bool:
    """Curators and admins edit any entry; a contributor only those they proposed."""
    if author.role in ("curator", "admin"):
        return True
    return author.role == "contributor" and author.iri in _proposers(store, iri)


def check_can_edit(store, iri: ox.NamedNode, author: Author) -> None:
    """:raises NotFound: no such entry. :raises Forbidden: ``author`` may not edit it."""
    if not any(q.subject == iri and q.predicate == RDF_TYPE for q in _entry_quads(store, iri)):
        raise NotFound(f"aucune fiche <{iri.value}> / no entry <{iri.value}>", entity=iri.value,
                       rule="entity")
    if not can_edit(store, iri, author):
        raise Forbidden(f"vous ne pouvez modifier que les fiches que vous avez proposées : "
                        f"<{iri.value}> ne l'est pas / you may only edit the entries you proposed",
                        entity=iri.value, rule="owner")


# --- writing -------------------------------------------------------------------------------------

def create(store, kind: str, draft: Iterable[ox.Triple], *, author: Author,
           message: str | None = None, channel: str = "form") -> Written:
    """Create a new entry of ``kind`` from ``draft`` (triples about ``THIS`` and owned blank nodes).

    All or nothing: on any error nothing is written.

    :raises NotFound: unknown kind.
    :raises Forbidden: no role that may contribute.
    :raises UsageError: an oversized value (the message names the property).
    :raises RejectedInput: the entry breaks the shapes (the report says where).
    """
    if kind not in KIND_CLASSES:
        entity_iri(kind, "x")  # raises NotFound with the message
    if author.role not in ("contributor", "curator", "admin"):
        raise Forbidden("seuls les comptes contributeur, curateur ou admin contribuent / only "
                        "contributor, curator or admin accounts contribute", rule="role")
    draft = _checked(list(draft))
    _check_classes(store, kind, draft)
    label = next((t.object.value for t in draft if t.subject == THIS and t.predicate == RDFS_LABEL),
                 kind)
    iri = mint_iri(kind, label)
    triples = _resolve(draft, iri, kind, {})
    if not any(t.subject == iri and t.predicate == RDF_TYPE for t in triples):
        triples.append(ox.Triple(iri, RDF_TYPE, KIND_CLASSES[kind]))
    proposed = kind in REVIEWED_KINDS or (kind in PROPOSED_KINDS and author.role == "contributor")
    home = graphs.PRIVATE_PROPOSALS if proposed else graphs.CONTRIBUTIONS
    added = _placed(triples, iri, home, kind)
    added.append(ox.Quad(iri, PROPOSED_BY, ox.NamedNode(author.iri), graphs.PRIVATE_PROPOSALS))
    if proposed:
        added.append(ox.Quad(iri, PROPOSAL_STATUS, PENDING, graphs.PRIVATE_PROPOSALS))
        _check_publishable(store, added, [], iri)
    change = changes.Change(removed=[], added=_unique(added), targets={home})
    result = changes.apply(store, change, role=author.role, author=author.iri,
                           message=message or f"nouvelle fiche / new entry: {label}", channel=channel)
    return Written(iri.value, kind, kind_of(iri.value)[1], "pending" if proposed else "published",
                   result)


def replace(store, iri: ox.NamedNode, draft: Iterable[ox.Triple], *, author: Author,
            message: str | None = None, channel: str = "form") -> Written:
    """Replace the entry's own triples (and its owned records) with ``draft``.

    Lifecycle triples (proposer, status, charter reviews) are kept as they are. The entry stays
    where it is (a proposal stays a proposal). All or nothing.

    :raises NotFound, Forbidden, UsageError, RejectedInput: as ``create``.
    """
    check_can_edit(store, iri, author)
    return _rewrite(store, iri, _checked(list(draft)), author=author, message=message,
                    channel=channel, keep=set())


def patch(store, iri: ox.NamedNode, draft: Iterable[ox.Triple], cleared: Iterable[ox.NamedNode] = (),
          *, author: Author, message: str | None = None, channel: str = "api") -> Written:
    """JSON Merge Patch on the entry: the predicates ``draft`` gives on the entry replace their
    stored values, those in ``cleared`` lose them, every other stored value stays.

    :raises NotFound, Forbidden, UsageError, RejectedInput: as ``create``.
    """
    check_can_edit(store, iri, author)
    draft = _checked(list(draft))
    given = {t.predicate for t in draft if t.subject == THIS} | set(cleared)
    return _rewrite(store, iri, draft, author=author, message=message, channel=channel,
                    keep={p for p in _stored_predicates(store, iri)} - given)


def _stored_predicates(store, iri) -> set:
    return {q.predicate for q in _entry_quads(store, iri) if q.subject == iri}


def _rewrite(store, iri: ox.NamedNode, draft: list, *, author: Author, message, channel,
             keep: set) -> Written:
    """Remove the entry's editable quads (except predicates in ``keep`` and their owned
    records), add ``draft`` in the entry's home graph, validate and write."""
    kind, slug = kind_of(iri.value)
    _check_classes(store, kind, draft)
    stored = _entry_quads(store, iri)
    kept_nodes = {q.object for q in stored if q.subject == iri and q.predicate in keep}
    removable = [q for q in stored if q.predicate not in LIFECYCLE
                 and not (q.subject == iri and q.predicate in keep) and q.subject not in kept_nodes]
    reuse = {q.predicate: q.object for q in stored if q.subject == iri and q.predicate in OWNED}
    triples = _resolve(draft, iri, kind, reuse)
    if not any(t.subject == iri and t.predicate == RDF_TYPE for t in triples) and RDF_TYPE not in keep:
        # an edit that names no class keeps the stored ones
        triples += [ox.Triple(iri, RDF_TYPE, q.object) for q in stored
                    if q.subject == iri and q.predicate == RDF_TYPE]
    home = _home(stored, iri)
    added = _placed(triples, iri, home, kind)
    removed_set = set(removable)
    added = _unique(added)
    status = _status(store, iri)
    if home == graphs.PRIVATE_PROPOSALS:
        lifecycle = [q for q in stored if q.predicate in LIFECYCLE]
        _check_publishable(store, added + lifecycle, removable + lifecycle, iri)
    # quads removed and added again are no change at all
    same = removed_set & set(added)
    change = changes.Change(removed=[q for q in removable if q not in same],
                            added=[q for q in added if q not in same], targets={home})
    if status == "declined":  # edited after a refusal: back in the queue, in the same write
        change.removed.append(ox.Quad(iri, PROPOSAL_STATUS, DECLINED, graphs.PRIVATE_PROPOSALS))
        change.added.append(ox.Quad(iri, PROPOSAL_STATUS, PENDING, graphs.PRIVATE_PROPOSALS))
        status = "pending"
    label = next((t.object.value for t in triples if t.subject == iri and t.predicate == RDFS_LABEL),
                 slug)
    result = changes.apply(store, change, role=author.role, author=author.iri,
                           message=message or f"modification / edit: {label}", channel=channel)
    return Written(iri.value, kind, slug, status, result)


def _home(stored: list, iri: ox.NamedNode) -> ox.NamedNode:
    """The graph the entry lives in: where its class is stated (a proposal, a contribution,
    the demo or an import), else the contributions graph."""
    typed = [q.graph_name for q in stored if q.subject == iri and q.predicate == RDF_TYPE
             and q.graph_name != graphs.PRIVATE_CONTACTS]
    for preferred in (graphs.PRIVATE_PROPOSALS, graphs.CONTRIBUTIONS):
        if preferred in typed:
            return preferred
    return typed[0] if typed else graphs.CONTRIBUTIONS


def _checked(draft: list) -> list:
    """Refuse values no one can mean (oversized text) before anything else."""
    for triple in draft:
        if isinstance(triple.object, ox.Literal) and len(triple.object.value) > MAX_LITERAL:
            size = len(triple.object.value)
            raise UsageError(
                f"valeur trop longue pour {triple.predicate.value} : {size} caractères (au plus "
                f"{MAX_LITERAL}) ; rien n'a été enregistré / value too long for "
                f"{triple.predicate.value}: {size} characters (at most {MAX_LITERAL})",
                prop=triple.predicate.value, rule="size")
    return draft


def _check_classes(store, kind: str, draft: list) -> None:
    """Refuse a class of our vocabulary that is not the kind's class or one of its sub-classes
    (the ontology's ``rdfs:subClassOf``): a knowledge resource may be a guide, never an event.

    :raises UsageError: names the class, the kind and the classes allowed.
    """
    allowed = entry_classes.family(store, KIND_CLASSES[kind].value)
    for triple in draft:
        if (triple.subject == THIS and triple.predicate == RDF_TYPE
                and triple.object.value.startswith(OSC) and triple.object.value not in allowed):
            names = ", ".join(sorted(c.rsplit("#", 1)[-1] for c in allowed))
            raise UsageError(
                f"type refusé pour une fiche « {kind} » : {triple.object.value[:200]} ; types "
                f"possibles : {names} ; rien n'a été enregistré / class refused for a '{kind}' "
                f"entry: {triple.object.value[:200]}; allowed: {names}; nothing was written",
                prop=RDF_TYPE.value, rule="class")


def _resolve(draft: list, iri: ox.NamedNode, kind: str, reuse: dict) -> list[ox.Triple]:
    """Replace ``THIS`` with ``iri`` and blank nodes with minted IRIs (no blank nodes in the
    data: dumps must round-trip, ontology/README.md); an owned record keeps its stored IRI."""
    names: dict = {}
    for triple in draft:
        if triple.subject == THIS and triple.predicate in OWNED and isinstance(triple.object, ox.BlankNode):
            stored = reuse.get(triple.predicate)
            names[triple.object] = stored if isinstance(stored, ox.NamedNode) else ox.NamedNode(
                f"{OSCID}{OWNED[triple.predicate]}/{kind_of(iri.value)[1]}-{secrets.token_hex(3)}")

    def term(node):
        if node == THIS:
            return iri
        if isinstance(node, ox.BlankNode):
            if node not in names:
                names[node] = ox.NamedNode(f"{iri.value}-node-{secrets.token_hex(3)}")
            return names[node]
        return node
    return list(dict.fromkeys(ox.Triple(term(t.subject), t.predicate, term(t.object)) for t in draft))


def _placed(triples: list, iri: ox.NamedNode, home: ox.NamedNode, kind: str) -> list[ox.Quad]:
    """Quads in their graphs: a person's contact details go to the private contacts graph."""
    placed = []
    for t in triples:
        private = kind == "person" and t.subject == iri and t.predicate in PERSON_CONTACT
        placed.append(ox.Quad(t.subject, t.predicate, t.object,
                              graphs.PRIVATE_CONTACTS if private else home))
    return placed


def _unique(quads: list) -> list:
    return list(dict.fromkeys(quads))


def _check_publishable(store, added: list, removed: list, iri: ox.NamedNode) -> None:
    """Validate a proposal as it would be once published (its quads in the contributions
    graph): what only the review can add (lifecycle properties) is left out of the verdict.

    :raises RejectedInput: something the author must fix before a curator can publish.
    """
    staging = ox.Store()
    staging.extend(ox.Quad(q.subject, q.predicate, q.object,
                           graphs.CONTRIBUTIONS if q.graph_name == graphs.PRIVATE_PROPOSALS else q.graph_name)
                   for q in added if q.predicate not in LIFECYCLE)
    report = ingest.check(store, staging, removed=set(removed))
    lifecycle_paths = {f"<{p.value}>" for p in LIFECYCLE}
    errors = tuple(v for v in report.violations if v.path not in lifecycle_paths
                   and v.severity == "Violation")
    if errors:
        report = Report(errors + tuple(v for v in report.warnings if v.path not in lifecycle_paths))
        raise RejectedInput(f"{len(errors)} erreur(s) : rien n'a été enregistré / "
                            f"{len(errors)} error(s): nothing was written", report=report,
                            entity=iri.value, rule="shapes")


# --- « Mes contributions » ---------------------------------------------------------------------------

def entries_of(store, author_iri: str) -> list[Entry]:
    """The entries ``author_iri`` proposed, with their status and a rejection's reason."""
    found = []
    for quad in store.quads(None, PROPOSED_BY, ox.NamedNode(author_iri), graphs.PRIVATE_PROPOSALS):
        iri = quad.subject
        try:
            kind, slug = kind_of(iri.value)
        except NotFound:
            continue
        labels = [q.object.value for q in store.quads(iri, RDFS_LABEL, None, None)
                  if q.graph_name not in _NOT_ENTRY]
        status = _status(store, iri)
        if status == "published" and not any(
                graphs.is_public(q.graph_name) for q in store.quads(iri, RDF_TYPE, None, None)
                if q.graph_name not in _NOT_ENTRY):
            status = "pending"   # nothing public yet (should not happen; never shown as public)
        found.append(Entry(iri.value, kind, slug, labels[0] if labels else slug, status,
                           _rejection(store, iri) if status == "declined" else None))
    return sorted(found, key=lambda e: (e.status != "declined", e.status != "pending", e.label.lower()))


def _rejection(store, iri: ox.NamedNode) -> str | None:
    """The comment of the latest rejecting charter review of ``iri``."""
    reasons = []
    for link in store.quads(iri, HAS_REVIEW, None, None):
        review = link.object
        if not any(True for _ in store.quads(review, REVIEW_OUTCOME, REJECTED, None)):
            continue
        dates = [q.object.value for q in store.quads(review, DCTERMS_DATE, None, None)]
        for comment in store.quads(review, RDFS_COMMENT, None, None):
            reasons.append((max(dates) if dates else "", comment.object.value))
    return max(reasons)[1] if reasons else None
