"""The charter review: record a curator's review, then publish, decline, withdraw or resubmit.

An initiative or organisation proposed by a contributor waits in ``graphs.PRIVATE_PROPOSALS``
with ``osc:proposalStatus osc:pending`` (issue 5, section 3). A curator, acting for a member of
the collective (``shapes/charter.ttl``, ``oscsh:CollectiveMember``), gives a verdict on each of
the five criteria of the values charter. All five affirmed: the entry and its approved review
move to ``graphs.CONTRIBUTIONS`` and its status is dropped, in one ``changes.apply`` so that the
charter shapes validate the published initiative with its review. Otherwise the review is a
rejection whose comment is the reason the contributor sees; the entry stays private, declined.
A published entry can be reviewed again (a rejection then withdraws it) or withdrawn.

Every write here goes through ``changes.apply`` (channel ``review``): role checked, validated,
all or nothing. Only curators and admins may review or withdraw (checked here too: the graphs
a contributor may write would otherwise let a hand-made call publish).
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from . import changes, dumps, graphs, labels, validation
from .errors import Forbidden, NotFound, UsageError
from .namespaces import OSC, OSCID
from .store import sparql_term

__all__ = ["CRITERIA", "REVIEWED_KINDS", "REVIEWER_ROLES", "Criterion", "Verdict", "Review",
           "Entry", "Pending", "criteria", "entity_iri", "entry", "pending", "reviewer_for",
           "record", "publish", "withdraw", "resubmit", "may_review", "StoreWarnings", "store_warnings",
           "REMOTE_MAX_AGE"]

log = logging.getLogger("oscartes_kg.review")

#: The five criteria of the values charter, in the charter's order (``skos:notation`` 1-5).
CRITERIA = ("independance", "reponse-crise-systemique", "poursuite-des-communs",
            "refus-violence-discrimination", "ouverture-partage")
#: Kinds that carry a charter review (``osc:hasCharterReview``, ontology 0.2.0).
REVIEWED_KINDS = ("initiative", "organisation")
#: Roles that review, publish and withdraw.
REVIEWER_ROLES = ("curator", "admin")
#: Graphs an entry never moves from or to: built by ``init`` or computed after each write.
FIXED_GRAPHS = frozenset(graphs.SCHEMA_GRAPHS) | {graphs.DERIVED}

COLLECTIVE = ox.NamedNode(f"{OSCID}organisation/oscartes")
_N = lambda term: ox.NamedNode(str(term))  # noqa: E731
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
DATE = ox.NamedNode("http://purl.org/dc/terms/date")
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
STATUS, PROPOSED_BY, HAS_REVIEW = _N(OSC.proposalStatus), _N(OSC.proposedBy), _N(OSC.hasCharterReview)
REVIEWER, OUTCOME, VERDICT_OF = _N(OSC.reviewer), _N(OSC.reviewOutcome), _N(OSC.criterionVerdict)
CRITERION, VERDICT = _N(OSC.criterion), _N(OSC.verdict)
WITHDRAWAL_REASON = _N(OSC.withdrawalReason)
APPROVED, REJECTED = _N(OSC.approved), _N(OSC.rejected)
AFFIRMED, NOT_AFFIRMED = _N(OSC.affirmed), _N(OSC.notAffirmed)
PENDING, DECLINED, WITHDRAWN = _N(OSC.pending), _N(OSC.declined), _N(OSC.withdrawn)
STATUS_NAMES = {PENDING: "pending", DECLINED: "declined", WITHDRAWN: "withdrawn"}
#: Links to records an entry owns and that move with it (the contribution layer's ``OWNED``).
OWNED_LINKS = frozenset({_N(OSC.consent)})


@dataclass(frozen=True)
class Criterion:
    """One charter criterion as the review form shows it (labels from the thesauri graph)."""

    slug: str
    iri: str
    label: dict          # lang -> label
    definition: dict     # lang -> definition


@dataclass(frozen=True)
class Verdict:
    """A curator's verdict on one criterion (``slug`` is one of ``CRITERIA``)."""

    criterion: str
    affirmed: bool
    comment: str = ""


@dataclass(frozen=True)
class Review:
    """A recorded review, as the proposal page shows it."""

    iri: str
    date: str | None
    reviewer: str | None
    reviewer_label: str | None
    outcome: str | None        # "approved" | "rejected"
    comment: str | None
    verdicts: tuple            # Verdict, in charter order
    public: bool


@dataclass(frozen=True)
class Entry:
    """An entry as curators (and its proposer) see it, private graphs included."""

    iri: str
    kind: str
    slug: str
    label: str
    status: str                # "pending" | "declined" | "withdrawn" | "published"
    proposed_by: str | None
    withdrawal_reason: str | None
    quads: tuple               # the entity's own quads, every graph
    reviews: tuple             # Review, newest first


@dataclass(frozen=True)
class Pending:
    """One line of the curation page's list of pending proposals."""

    iri: str
    kind: str
    slug: str
    label: str
    proposed_by: str | None
    proposer: str | None       # the account's display name
    proposed_at: str | None    # first write, from the history (when it is recorded)


# --- reading --------------------------------------------------------------------------------------

def entity_iri(kind: str, slug: str) -> ox.NamedNode:
    """The entity IRI ``{OSCID}{kind}/{slug}``.

    >>> entity_iri("initiative", "jardin-a1b2c3").value
    'https://w3id.org/oscartes/id/initiative/jardin-a1b2c3'

    :raises NotFound: ``kind`` or ``slug`` is not a plain path segment.
    """
    if not re.fullmatch(r"[a-z]+", kind) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*", slug):
        raise NotFound(f"entrée introuvable / no such entry: {kind}/{slug}", entity=f"{kind}/{slug}")
    return ox.NamedNode(f"{OSCID}{kind}/{slug}")


def _kind_slug(iri: str) -> tuple[str, str]:
    kind, _, slug = iri[len(str(OSCID)):].partition("/")
    return kind, slug


def criteria(store) -> list[Criterion]:
    """The five criteria with their labels and definitions (``skos:prefLabel``,
    ``skos:definition`` of the thesauri graph), in the charter's order."""
    rows = store.query(
        "SELECT ?c ?p ?v WHERE { VALUES ?p { <http://www.w3.org/2004/02/skos/core#prefLabel> "
        "<http://www.w3.org/2004/02/skos/core#definition> } ?c ?p ?v }",
        default_graph=[graphs.THESAURI])
    found: dict = {}
    for row in rows:
        key = "label" if row["p"].value.endswith("prefLabel") else "definition"
        found.setdefault(row["c"].value, {"label": {}, "definition": {}})[key][
            row["v"].language or ""] = row["v"].value
    result = []
    for slug in CRITERIA:
        iri = f"{OSCID}criterion/{slug}"
        texts = found.get(iri, {"label": {}, "definition": {}})
        result.append(Criterion(slug, iri, texts["label"] or {"": slug}, texts["definition"]))
    return result


def _label(store, node: ox.NamedNode, within: Sequence | None = None) -> str | None:
    literals = [q.object for q in store.quads(node, LABEL, None, None)
                if within is None or q.graph_name in within]
    return labels.pick([x for x in literals if isinstance(x, ox.Literal)])


def _literal(quads: Iterable, predicate) -> str | None:
    return next((q.object.value for q in quads if q.predicate == predicate), None)


def _object(quads: Iterable, predicate):
    return next((q.object for q in quads if q.predicate == predicate), None)


def _review(store, node: ox.NamedNode) -> Review:
    quads = list(store.quads(node, None, None, None))
    verdicts = {}
    for link in [q.object for q in quads if q.predicate == VERDICT_OF]:
        own = list(store.quads(link, None, None, None)) if isinstance(link, ox.NamedNode) else []
        criterion = _object(own, CRITERION)
        if criterion is not None:
            slug = criterion.value.rsplit("/", 1)[-1]
            verdicts[slug] = Verdict(slug, _object(own, VERDICT) == AFFIRMED, _literal(own, COMMENT) or "")
    reviewer = _object(quads, REVIEWER)
    outcome = _object(quads, OUTCOME)
    return Review(node.value, _literal(quads, DATE), reviewer.value if reviewer else None,
                  _label(store, reviewer) if isinstance(reviewer, ox.NamedNode) else None,
                  {APPROVED: "approved", REJECTED: "rejected"}.get(outcome),
                  _literal(quads, COMMENT),
                  tuple(verdicts[s] for s in CRITERIA if s in verdicts) +
                  tuple(v for s, v in sorted(verdicts.items()) if s not in CRITERIA),
                  any(graphs.is_public(q.graph_name) for q in quads))


def entry(store, iri: ox.NamedNode) -> Entry | None:
    """The entry ``iri`` with its status and reviews, read from every graph, or None.

    Callers decide who may see it (curators; the proposer, read-only): this reads private graphs.
    """
    quads = tuple(q for q in store.quads(iri, None, None, None)
                  if isinstance(q.graph_name, ox.NamedNode) and q.graph_name not in FIXED_GRAPHS
                  and q.graph_name != graphs.PRIVATE_ACCOUNTS)
    if not any(q.predicate != PROPOSED_BY for q in quads):
        return None
    private = [q for q in quads if q.graph_name == graphs.PRIVATE_PROPOSALS]
    status = STATUS_NAMES.get(_object(private, STATUS), "published")
    proposer = _object(private, PROPOSED_BY)
    reviews = [_review(store, link) for link in {q.object for q in quads if q.predicate == HAS_REVIEW}
               if isinstance(link, ox.NamedNode)]
    reviews.sort(key=lambda r: (r.date or "", _serial(r.iri)), reverse=True)
    kind, slug = _kind_slug(iri.value)
    return Entry(iri.value, kind, slug, _label(store, iri) or slug, status,
                 proposer.value if proposer else None, _literal(private, WITHDRAWAL_REASON),
                 quads, tuple(reviews))


def _serial(review_iri: str) -> int:
    match = re.search(r"-(\d+)$", review_iri)
    return int(match.group(1)) if match else 0


_PENDING = f"""
SELECT ?e ?by ?name WHERE {{
  GRAPH {sparql_term(graphs.PRIVATE_PROPOSALS)} {{
    ?e {sparql_term(STATUS)} {sparql_term(PENDING)} .
    OPTIONAL {{ ?e {sparql_term(PROPOSED_BY)} ?by }} }}
  OPTIONAL {{ GRAPH {sparql_term(graphs.PRIVATE_ACCOUNTS)} {{ ?by {sparql_term(LABEL)} ?name }} }}
}}"""

_FIRST_WRITE = f"""
SELECT ?e (MIN(STR(?t)) AS ?when) WHERE {{
  VALUES ?e {{ %s }}
  {{ GRAPH {sparql_term(graphs.PRIVATE_HISTORY)} {{ ?c <https://w3id.org/oscartes/ns#changed> ?e ;
       <http://www.w3.org/ns/prov#endedAtTime> ?t }} }}
  UNION {{ GRAPH {sparql_term(graphs.PRIVATE_PROPOSALS)} {{ ?e <http://purl.org/dc/terms/created> ?t }} }}
}} GROUP BY ?e"""


def pending(store, *, limit: int = 50, offset: int = 0) -> tuple[list[Pending], int]:
    """One page of the pending proposals, oldest first, and how many there are in all.

    The time of a proposal is its first write in the history graph (issue 5, section 4), or
    its ``dcterms:created``; proposals without either come last, by label.
    """
    rows = store.query(_PENDING)
    found: dict = {}
    for row in rows:
        if isinstance(row["e"], ox.NamedNode):
            found.setdefault(row["e"], (row["by"], row["name"]))
    when = _first_writes(store, list(found))
    items = []
    for node, (by, name) in found.items():
        kind, slug = _kind_slug(node.value)
        items.append(Pending(node.value, kind, slug,
                             _label(store, node, [graphs.PRIVATE_PROPOSALS]) or slug,
                             by.value if by else None, name.value if name else None, when.get(node)))
    items.sort(key=lambda p: (p.proposed_at is None, p.proposed_at or "", p.label.casefold(), p.iri))
    return items[offset:offset + limit], len(items)


def _first_writes(store, nodes: list, batch: int = 200) -> dict:
    result = {}
    for start in range(0, len(nodes), batch):
        values = " ".join(sparql_term(n) for n in nodes[start:start + batch])
        for row in store.query(_FIRST_WRITE % values):
            if row["when"] is not None:
                result[row["e"]] = row["when"].value
    return result


# --- who reviews ----------------------------------------------------------------------------------

def may_review(role: str | None) -> bool:
    """Whether ``role`` reviews, publishes and withdraws entries.

    >>> [may_review(r) for r in (None, "contributor", "curator", "admin")]
    [False, False, True, True]
    """
    return role in REVIEWER_ROLES


def _require_reviewer_role(role: str | None) -> None:
    if not may_review(role):
        raise Forbidden(f"seuls les curateurs et les administrateurs relisent, publient et retirent "
                        f"des entrées (rôle « {role} ») / only curators and admins review, publish "
                        f"and withdraw entries (role {role!r})", rule="role")


_MEMBER = ("ASK { %s <http://www.w3.org/ns/org#memberOf>/"
           "<http://www.w3.org/ns/org#subOrganizationOf>* %s }")


def reviewer_for(store, acts_for: str | None) -> ox.NamedNode:
    """The organisation a review is signed by: the account's ``osc:actsFor``, which must be a
    member of the collective in the public data (``oscsh:CollectiveMember``).

    :raises Forbidden: the account acts for nobody, or for an actor that is not a member.
    """
    if not acts_for:
        raise Forbidden("votre compte n'agit pour aucune organisation membre du collectif : une "
                        "relecture de charte doit être signée par un membre (demandez à un·e "
                        "administrateur·rice de renseigner « agit pour ») ; rien n'a été enregistré "
                        "/ your account acts for no member of the collective: a charter review "
                        "must be signed by a member (ask an admin to set \"acts for\"); nothing "
                        "was written", prop="osc:actsFor", rule="collective-member")
    node = ox.NamedNode(acts_for)
    public = graphs.public(store.graphs())
    member = node == COLLECTIVE or bool(store.query(
        _MEMBER % (sparql_term(node), sparql_term(COLLECTIVE)), default_graph=public))
    if not member:
        raise Forbidden(f"votre compte agit pour <{acts_for}>, qui n'est pas membre du collectif "
                        f"OSCARTES (ni directement, ni par un groupe de travail ou le comité de "
                        f"pilotage) : il ne peut pas signer une relecture de charte ; rien n'a été "
                        f"enregistré / your account acts for <{acts_for}>, which is not a member "
                        f"of the OSCARTES collective: it cannot sign a charter review; nothing "
                        f"was written", entity=acts_for, prop="osc:reviewer",
                        rule="collective-member")
    return node


# --- writing --------------------------------------------------------------------------------------

def record(store, iri: ox.NamedNode, verdicts: Sequence[Verdict], comment: str = "", *,
           role: str | None, author: str | None, acts_for: str | None,
           today: dt.date | None = None) -> tuple[str, changes.ChangeResult]:
    """Record a charter review of ``iri`` and act on it; return (outcome, what was written).

    All five criteria affirmed: outcome ``approved``; a proposal is published (its triples and
    the review move to ``graphs.CONTRIBUTIONS``, its status is dropped), a published entry
    keeps its place with one more review. Otherwise ``rejected``: ``comment`` (the reason) is
    required; a proposal stays private, declined; a published entry is withdrawn. One
    ``changes.apply`` (channel ``review``), all or nothing.

    :raises Forbidden: ``role`` is not a reviewer's, or ``acts_for`` is not a collective member.
    :raises NotFound: no such entry.
    :raises UsageError: not one verdict per criterion, or a rejection without a reason.
    :raises RejectedInput: the result breaks a shape (e.g. a published initiative's carrier).
    """
    _require_reviewer_role(role)
    found = _entry_or_404(store, iri)
    if found.kind not in REVIEWED_KINDS:
        raise UsageError(f"seules les initiatives et les organisations ont une relecture de charte "
                         f"/ only initiatives and organisations have a charter review: {iri.value}",
                         entity=iri.value, rule="reviewed-kind")
    verdicts = _complete(verdicts, iri.value)
    approved = all(v.affirmed for v in verdicts)
    comment = (comment or "").strip()
    if not approved and not comment:
        raise UsageError("un critère n'est pas affirmé : la relecture refuse l'entrée, donnez-en la "
                         "raison dans le commentaire (la personne qui l'a proposée la verra) / a "
                         "criterion is not affirmed: the review declines the entry; give the "
                         "reason in the comment (its proposer will see it)", entity=iri.value,
                         prop="rdfs:comment", rule="rejection-reason")
    reviewer = reviewer_for(store, acts_for)
    node = _new_review_iri(store, found)
    published = found.status == "published"
    target = graphs.CONTRIBUTIONS if approved else graphs.PRIVATE_PROPOSALS
    review_quads = _review_quads(node, iri, found.label, verdicts, comment, reviewer,
                                 today or dt.date.today(), approved, target)
    if approved and published:
        change = changes.Change([], review_quads, {target})
        message = f"relecture de charte approuvée / charter review approved: {found.label}"
    elif approved:
        change = _publish(store, iri, review_quads)
        message = f"publication après relecture de charte / published after charter review: {found.label}"
    elif published:
        change = _withdraw_change(store, iri, comment, extra=review_quads)
        message = f"retrait après relecture de charte / withdrawn after charter review: {comment}"
    else:
        change = _set_status(store, iri, DECLINED, extra=review_quads)
        message = f"proposition refusée / proposal declined: {comment}"
    result = changes.apply(store, change, role=role, author=author, message=message, channel="review")
    return ("approved" if approved else "rejected"), result


def withdraw(store, iri: ox.NamedNode, reason: str, *, role: str | None,
             author: str | None) -> changes.ChangeResult:
    """Withdraw the published entry ``iri``: its triples (and its public reviews) move back to
    ``graphs.PRIVATE_PROPOSALS`` with ``osc:proposalStatus osc:withdrawn`` and the reason.

    :raises Forbidden: ``role`` is not a reviewer's.
    :raises NotFound: no such entry.
    :raises UsageError: no reason, or the entry is not published.
    :raises RejectedInput: a public entry still needs it (e.g. an initiative it carries).
    """
    _require_reviewer_role(role)
    found = _entry_or_404(store, iri)
    reason = (reason or "").strip()
    if not reason:
        raise UsageError("donnez la raison du retrait / give the reason for the withdrawal",
                         entity=iri.value, prop="osc:withdrawalReason", rule="withdrawal-reason")
    if found.status != "published":
        raise UsageError(f"cette entrée n'est pas publiée / this entry is not published: {iri.value}",
                         entity=iri.value, rule="not-published")
    return changes.apply(store, _withdraw_change(store, iri, reason), role=role, author=author,
                         message=f"retrait / withdrawn: {reason}", channel="review")


def publish(store, iri: ox.NamedNode, *, role: str | None,
            author: str | None) -> changes.ChangeResult:
    """Publish an unpublished entry of a kind without charter review (a person proposed by a
    contributor, a withdrawn event...): its triples move to ``graphs.CONTRIBUTIONS`` and its
    status is dropped; the shapes then check it as public (a person's consent, GDPR art. 7).

    :raises Forbidden: ``role`` is not a reviewer's.
    :raises NotFound: no such entry.
    :raises UsageError: the kind needs a charter review (use ``record``), or it is published.
    :raises RejectedInput: the entry may not be public as it is.
    """
    _require_reviewer_role(role)
    found = _entry_or_404(store, iri)
    if found.kind in REVIEWED_KINDS:
        raise UsageError("une initiative ou une organisation n'est publiée qu'après une relecture "
                         "de charte / an initiative or organisation is published only after a "
                         "charter review", entity=iri.value, rule="reviewed-kind")
    if found.status == "published":
        raise UsageError(f"cette entrée est déjà publiée / this entry is already published: "
                         f"{iri.value}", entity=iri.value, rule="published")
    return changes.apply(store, _publish(store, iri, []), role=role, author=author,
                         message=f"publication / published: {found.label}", channel="review")


def resubmit(store, iri: ox.NamedNode, *, role: str | None, author: str | None,
             message: str | None = None) -> changes.ChangeResult | None:
    """Put a declined proposal back in the queue (``osc:pending``) after its proposer edited it.

    The contribution layer calls it after an edit it has already authorised (the proposer or
    a curator); returns None when the entry was not declined (nothing to do).
    """
    found = _entry_or_404(store, iri)
    if found.status != "declined":
        return None
    return changes.apply(store, _set_status(store, iri, PENDING), role=role, author=author,
                         message=message or "proposition modifiée, de nouveau en attente / "
                         "proposal edited, pending again", channel="form")


def _entry_or_404(store, iri: ox.NamedNode) -> Entry:
    found = entry(store, iri)
    if found is None:
        raise NotFound(f"entrée introuvable / no such entry: {iri.value}", entity=iri.value)
    return found


def _complete(verdicts: Sequence[Verdict], entity: str) -> list[Verdict]:
    """Exactly one verdict per criterion, in the charter's order."""
    by_slug = {}
    for verdict in verdicts:
        if verdict.criterion not in CRITERIA or verdict.criterion in by_slug:
            raise UsageError(f"critère inconnu ou répété / unknown or repeated criterion: "
                             f"{verdict.criterion}", entity=entity, prop="osc:criterionVerdict",
                             rule="criteria")
        by_slug[verdict.criterion] = verdict
    missing = [slug for slug in CRITERIA if slug not in by_slug]
    if missing:
        raise UsageError(f"donnez un verdict sur chacun des cinq critères ; il manque : "
                         f"{', '.join(missing)} / give a verdict on each of the five criteria; "
                         f"missing: {', '.join(missing)}", entity=entity,
                         prop="osc:criterionVerdict", rule="criteria")
    return [by_slug[slug] for slug in CRITERIA]


def _new_review_iri(store, found: Entry) -> ox.NamedNode:
    """``oscid:review/{slug}-{n}``: n one more than the entry's reviews so far, and unused."""
    n = 1 + max((_serial(r.iri) for r in found.reviews), default=0)
    while True:
        node = ox.NamedNode(f"{OSCID}review/{found.slug}-{n}")
        if not any(True for _ in store.quads(node, None, None, None)):
            return node
        n += 1


def _review_quads(node, entity, label, verdicts, comment, reviewer, day, approved, graph) -> list:
    """The review, its verdicts (``oscid:review/{slug}-{n}-{criterion}``) and the entity's link."""
    quads = [(entity, HAS_REVIEW, node), (node, RDF_TYPE, _N(OSC.CharterReview)),
             (node, LABEL, ox.Literal(f"Relecture de charte : {label}", language="fr")),
             (node, LABEL, ox.Literal(f"Charter review: {label}", language="en")),
             (node, REVIEWER, reviewer), (node, DATE, ox.Literal(day.isoformat(), datatype=XSD_DATE)),
             (node, OUTCOME, APPROVED if approved else REJECTED)]
    if comment:
        quads.append((node, COMMENT, ox.Literal(comment)))
    for verdict in verdicts:
        part = ox.NamedNode(f"{node.value}-{verdict.criterion}")
        quads += [(node, VERDICT_OF, part), (part, RDF_TYPE, _N(OSC.CriterionVerdict)),
                  (part, CRITERION, ox.NamedNode(f"{OSCID}criterion/{verdict.criterion}")),
                  (part, VERDICT, AFFIRMED if verdict.affirmed else NOT_AFFIRMED)]
        if verdict.comment.strip():
            quads.append((part, COMMENT, ox.Literal(verdict.comment.strip())))
    return [ox.Quad(s, p, o, graph) for s, p, o in quads]


def _owned(store, iri: ox.NamedNode, within: Sequence) -> list:
    """The quads, in ``within``, of the records the entry owns (a person's consent)."""
    nodes = {q.object for q in store.quads(iri, None, None, None)
             if q.predicate in OWNED_LINKS and q.graph_name in within
             and isinstance(q.object, ox.NamedNode)}
    return [q for node in nodes for q in store.quads(node, None, None, None) if q.graph_name in within]


def _publish(store, iri: ox.NamedNode, review_quads: list) -> changes.Change:
    """Move the proposal's own triples (and its owned records) to the contributions graph, drop
    its status and withdrawal reason, keep ``osc:proposedBy`` and earlier (private) reviews."""
    removed, added = [], list(review_quads)
    private = [graphs.PRIVATE_PROPOSALS]
    for quad in [*store.quads(iri, None, None, graphs.PRIVATE_PROPOSALS), *_owned(store, iri, private)]:
        if quad.subject == iri and quad.predicate in (PROPOSED_BY, HAS_REVIEW):
            continue
        removed.append(quad)
        if not (quad.subject == iri and quad.predicate in (STATUS, WITHDRAWAL_REASON)):
            added.append(ox.Quad(quad.subject, quad.predicate, quad.object, graphs.CONTRIBUTIONS))
    return changes.Change(removed, added, {graphs.CONTRIBUTIONS, graphs.PRIVATE_PROPOSALS})


def _withdraw_change(store, iri: ox.NamedNode, reason: str, extra: Sequence = ()) -> changes.Change:
    """Move the entry's public triples, and its public reviews with their verdicts, to the
    proposals graph, with status withdrawn and the reason."""
    public = [g for g in graphs.public(store.graphs()) if g not in FIXED_GRAPHS]
    own = [q for q in store.quads(iri, None, None, None) if q.graph_name in public]
    subjects = [q.object for q in own if q.predicate == HAS_REVIEW and isinstance(q.object, ox.NamedNode)]
    for review in list(subjects):
        subjects += [q.object for q in store.quads(review, VERDICT_OF, None, None)
                     if q.graph_name in public and isinstance(q.object, ox.NamedNode)]
    moved = own + _owned(store, iri, public) + [
        q for node in subjects for q in store.quads(node, None, None, None) if q.graph_name in public]
    old_status = [q for q in store.quads(iri, None, None, graphs.PRIVATE_PROPOSALS)
                  if q.predicate in (STATUS, WITHDRAWAL_REASON)]
    added = {ox.Quad(q.subject, q.predicate, q.object, graphs.PRIVATE_PROPOSALS): None for q in moved}
    added.update({q: None for q in extra})
    added[ox.Quad(iri, STATUS, WITHDRAWN, graphs.PRIVATE_PROPOSALS)] = None
    added[ox.Quad(iri, WITHDRAWAL_REASON, ox.Literal(reason), graphs.PRIVATE_PROPOSALS)] = None
    removed = list(dict.fromkeys(moved + old_status))
    return changes.Change(removed, [q for q in added if q not in set(removed)],
                          {graphs.PRIVATE_PROPOSALS} | {q.graph_name for q in moved})


def _set_status(store, iri: ox.NamedNode, status: ox.NamedNode, extra: Sequence = ()) -> changes.Change:
    """Replace the entry's proposal status (and drop a withdrawal reason)."""
    removed = [q for q in store.quads(iri, None, None, graphs.PRIVATE_PROPOSALS)
               if q.predicate in (STATUS, WITHDRAWAL_REASON)]
    added = [ox.Quad(iri, STATUS, status, graphs.PRIVATE_PROPOSALS), *extra]
    return changes.Change([q for q in removed if q not in added],
                          [q for q in added if q not in removed], {graphs.PRIVATE_PROPOSALS})


# --- the store's SHACL warnings, once per data version ---------------------------------------------

#: A remote store has no change stamp: its warnings are computed again after this many seconds.
REMOTE_MAX_AGE = 300


@dataclass(frozen=True)
class StoreWarnings:
    """The severity-Warning results of the last full validation, and when it ran."""

    warnings: tuple            # validation.Violation, sorted
    computed_at: dt.datetime | None   # None: never computed yet
    current: bool              # computed for the data as they are now
    running: bool              # a validation is running in the background


_states: dict = {}
_states_lock = threading.Lock()


def store_warnings(store, *, wait: float = 0.0) -> StoreWarnings:
    """Every Warning of a full validation of ``store``, computed once per data version.

    A full validation takes about 40 s at 100,000 organisations, so it runs in a background
    thread when the data version (the change stamp of ``dumps.stamp_change``, renewed by every
    write; on a remote store, ``REMOTE_MAX_AGE`` seconds) differs from that of the last result;
    callers get the last result at once, or wait up to ``wait`` seconds for the new one (the
    small demo store validates in well under a second).
    """
    key = getattr(store, "path", None) or getattr(store, "query_url", None) or id(store)
    version = _data_version(store)
    with _states_lock:
        state = _states.setdefault(key, {"version": None, "warnings": (), "at": None, "thread": None})
        if state["version"] != version and state["thread"] is None:
            state["thread"] = threading.Thread(target=_compute_warnings, args=(store, state, version),
                                               name="store-warnings", daemon=True)
            state["thread"].start()
        thread = state["thread"]
    if thread is not None and wait > 0:
        thread.join(wait)
    with _states_lock:
        return StoreWarnings(state["warnings"], state["at"], state["version"] == version,
                             state["thread"] is not None)


def _compute_warnings(store, state: dict, version: str) -> None:
    try:
        report = validation.validate_store(store)
        found = tuple(sorted((v for v in report.violations if v.severity == "Warning"),
                             key=lambda v: v.sort_key()))
        with _states_lock:
            state.update(version=version, warnings=found,
                         at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
    except Exception:  # logged; the next page view tries again
        log.exception("full validation for the curation page failed")
    finally:
        with _states_lock:
            state["thread"] = None


def _data_version(store) -> str:
    if getattr(store, "path", None) is not None:
        return "stamp:" + dumps.open_cache(store).version()
    return "time:" + str(int(time.time() // REMOTE_MAX_AGE))
