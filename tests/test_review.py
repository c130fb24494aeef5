"""The charter review workflow (oscartes_kg.review): publish, decline, re-review, withdraw, resubmit.

Real stores with the shipped schema and the demo data; proposals are written by the contribution
layer (``contributions.create`` as a contributor: the entity's triples in the private proposals
graph with osc:proposalStatus osc:pending and osc:proposedBy). Every refusal is checked to leave the store exactly as it was.
"""
from __future__ import annotations

import datetime as dt

import pyoxigraph as ox
import pytest

from oscartes_kg import accounts, bootstrap, changes, contributions, graphs, review
from oscartes_kg.errors import Forbidden, UsageError
from oscartes_kg.namespaces import OSC, OSCID
from oscartes_kg.validation import validate_store

N = lambda term: ox.NamedNode(str(term))  # noqa: E731
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DESCRIPTION = ox.NamedNode("http://purl.org/dc/terms/description")
MEMBER = f"{OSCID}organisation/poles-noe"           # in the steering committee
NOT_MEMBER = f"{OSCID}organisation/ville-des-ulis"  # a partner, not a member
AGISSONS = ox.NamedNode(f"{OSCID}initiative/agissons-pour-le-climat")
DAY = dt.date(2026, 12, 1)


def propose(store, label: str, *, kind: str = "initiative", by: str,
            description: str = "Une proposition de test.") -> ox.NamedNode:
    """A contributor's proposal, through the contribution layer (engineer B's write path)."""
    this = contributions.THIS
    draft = [ox.Triple(this, LABEL, ox.Literal(label, language="fr")),
             ox.Triple(this, DESCRIPTION, ox.Literal(description, language="fr"))]
    written = contributions.create(store, kind, draft,
                                   author=contributions.Author(by, "contributor"))
    assert written.status == "pending"
    return ox.NamedNode(written.iri)


def verdicts(*not_affirmed: str, comment: str = "") -> list:
    return [review.Verdict(slug, slug not in not_affirmed, comment) for slug in review.CRITERIA]


def approve(store, node, **extra):
    return review.record(store, node, verdicts(), "Conforme à la charte.", role="curator",
                         author=None, acts_for=MEMBER, today=DAY, **extra)


def snapshot(store) -> set:
    return {q for q in store.quads() if not any(isinstance(t, ox.BlankNode) for t in q)}


def in_graph(store, node, graph) -> list:
    return list(store.quads(node, None, None, graph))


def public_quads(store, node) -> list:
    return [q for q in store.quads(node, None, None, None) if graphs.is_public(q.graph_name)]


@pytest.fixture
def demo(any_store):
    """Schema and demo data on each backend, and a contributor account."""
    bootstrap.init_store(any_store, demo=True)
    return any_store


@pytest.fixture
def contributor(demo):
    return accounts.create(demo, "contrib", "un mot de passe assez long", "contributor", "Côme").iri


def test_publish_moves_the_proposal_and_its_approved_review_to_the_public_graph(demo, contributor):
    node = propose(demo, "Jardin partagé", by=contributor)
    assert not public_quads(demo, node)
    outcome, result = approve(demo, node)
    assert outcome == "approved"
    assert result.added.get(graphs.CONTRIBUTIONS.value, 0) > 10
    # the entity's triples are public now, its status gone, its proposer kept privately
    public = {(q.predicate, q.object) for q in in_graph(demo, node, graphs.CONTRIBUTIONS)}
    assert (LABEL, ox.Literal("Jardin partagé", language="fr")) in public
    assert [q.predicate for q in in_graph(demo, node, graphs.PRIVATE_PROPOSALS)] == [N(OSC.proposedBy)]
    # the review: who, when, outcome, the five verdicts, IRIs per the term contract
    slug = node.value.rsplit("/", 1)[1]
    rev = ox.NamedNode(f"{OSCID}review/{slug}-1")
    assert (N(OSC.hasCharterReview), rev) in public
    props = {q.predicate.value: q.object for q in in_graph(demo, rev, graphs.CONTRIBUTIONS)}
    assert props[str(OSC.reviewer)] == ox.NamedNode(MEMBER)
    assert props[str(OSC.reviewOutcome)] == N(OSC.approved)
    assert props["http://purl.org/dc/terms/date"].value == "2026-12-01"
    for slug_c in review.CRITERIA:
        part = ox.NamedNode(f"{rev.value}-{slug_c}")
        assert (part, N(OSC.verdict), N(OSC.affirmed)) in {
            (q.subject, q.predicate, q.object) for q in in_graph(demo, part, graphs.CONTRIBUTIONS)}
    assert validate_store(demo).conforms
    assert review.entry(demo, node).status == "published"


def test_a_rejection_needs_a_reason_and_keeps_the_proposal_private_and_declined(demo, contributor):
    node = propose(demo, "Projet douteux", by=contributor)
    before = snapshot(demo)
    with pytest.raises(UsageError) as refused:
        review.record(demo, node, verdicts("independance"), "  ", role="curator", author=None,
                      acts_for=MEMBER, today=DAY)
    assert "raison" in refused.value.message and snapshot(demo) == before
    outcome, _ = review.record(demo, node, verdicts("independance", comment="porté par un parti"),
                               "Porté par un parti politique.", role="curator", author=None,
                               acts_for=MEMBER, today=DAY)
    assert outcome == "rejected"
    assert not public_quads(demo, node)
    found = review.entry(demo, node)
    assert found.status == "declined" and found.proposed_by == contributor
    latest = found.reviews[0]
    assert latest.outcome == "rejected" and latest.comment == "Porté par un parti politique."
    assert [v.affirmed for v in latest.verdicts] == [False, True, True, True, True]
    assert latest.verdicts[0].comment == "porté par un parti" and not latest.public
    assert validate_store(demo).conforms


def test_only_curators_and_admins_review_and_withdraw(demo, contributor):
    node = propose(demo, "Mon initiative", by=contributor)
    before = snapshot(demo)
    for role in ("contributor", None):
        with pytest.raises(Forbidden):
            review.record(demo, node, verdicts(), "ok", role=role, author=contributor,
                          acts_for=MEMBER, today=DAY)
        with pytest.raises(Forbidden):
            review.withdraw(demo, AGISSONS, "non", role=role, author=contributor)
    assert snapshot(demo) == before
    assert approve(demo, node)[0] == "approved"


@pytest.mark.parametrize("acts_for", [None, NOT_MEMBER])
def test_a_reviewer_must_act_for_a_member_of_the_collective(demo, contributor, acts_for):
    node = propose(demo, "Sans relecteur", by=contributor)
    before = snapshot(demo)
    with pytest.raises(Forbidden) as refused:
        review.record(demo, node, verdicts(), "ok", role="curator", author=None,
                      acts_for=acts_for, today=DAY)
    assert "membre du collectif" in refused.value.message
    assert "rien n'a été enregistré" in refused.value.message
    assert snapshot(demo) == before


def test_every_criterion_needs_exactly_one_verdict(demo, contributor):
    node = propose(demo, "Incomplet", by=contributor)
    before = snapshot(demo)
    with pytest.raises(UsageError, match="ouverture-partage"):
        review.record(demo, node, verdicts()[:4], "ok", role="curator", author=None,
                      acts_for=MEMBER, today=DAY)
    with pytest.raises(UsageError, match="inconnu"):
        review.record(demo, node, verdicts() + [review.Verdict("autre", True)], "ok",
                      role="curator", author=None, acts_for=MEMBER, today=DAY)
    assert snapshot(demo) == before


def test_re_review_adds_a_review_and_a_rejecting_one_withdraws_the_entry(demo, contributor):
    node = propose(demo, "Ressourcerie", by=contributor)
    approve(demo, node)
    approve(demo, node)
    found = review.entry(demo, node)
    assert [r.iri.rsplit("-", 1)[1] for r in found.reviews] == ["2", "1"]
    assert all(r.public and r.outcome == "approved" for r in found.reviews)
    outcome, _ = review.record(demo, node, verdicts("ouverture-partage"), "Plus ouverte du tout.",
                               role="curator", author=None, acts_for=MEMBER, today=DAY)
    assert outcome == "rejected"
    assert not public_quads(demo, node)
    for rev in found.reviews:  # its earlier reviews left the public graphs with it
        assert not public_quads(demo, ox.NamedNode(rev.iri))
    found = review.entry(demo, node)
    assert found.status == "withdrawn" and found.withdrawal_reason == "Plus ouverte du tout."
    assert len(found.reviews) == 3 and found.reviews[0].outcome == "rejected"
    assert validate_store(demo).conforms


def test_withdraw_then_publish_again(demo):
    """The demo's partner project (in the demo graph, with its review) is withdrawn, then a new
    review publishes it again in the contributions graph."""
    before = snapshot(demo)
    with pytest.raises(UsageError):
        review.withdraw(demo, AGISSONS, "  ", role="curator", author=None)
    assert snapshot(demo) == before
    review.withdraw(demo, AGISSONS, "Le projet est terminé.", role="curator", author=None)
    assert not public_quads(demo, AGISSONS)
    assert not public_quads(demo, ox.NamedNode(f"{OSCID}review/agissons-pour-le-climat"))
    found = review.entry(demo, AGISSONS)
    assert found.status == "withdrawn" and found.withdrawal_reason == "Le projet est terminé."
    with pytest.raises(UsageError, match="pas publiée"):
        review.withdraw(demo, AGISSONS, "encore", role="curator", author=None)
    assert approve(demo, AGISSONS)[0] == "approved"
    assert review.entry(demo, AGISSONS).status == "published"
    assert in_graph(demo, AGISSONS, graphs.CONTRIBUTIONS)
    assert not [q for q in in_graph(demo, AGISSONS, graphs.PRIVATE_PROPOSALS)
                if q.predicate in (N(OSC.proposalStatus), N(OSC.withdrawalReason))]
    assert validate_store(demo).conforms


def test_withdrawing_an_organisation_leaves_links_to_it_but_none_of_its_triples(demo):
    """The shapes check a carrier's class in every graph (not only the public ones), so a public
    initiative may keep pointing to a withdrawn carrier: its IRI stays, its page goes."""
    carrier = ox.NamedNode(f"{OSCID}organisation/communaute-d-agglomeration-paris-saclay")
    review.withdraw(demo, carrier, "Fusion avec une autre structure.", role="admin", author=None)
    assert not public_quads(demo, carrier)
    assert review.entry(demo, carrier).status == "withdrawn"
    assert any(q.object == carrier for q in public_quads(demo, AGISSONS))


def test_resubmit_puts_a_declined_proposal_back_in_the_queue(demo, contributor):
    node = propose(demo, "A revoir", by=contributor)
    assert review.resubmit(demo, node, role="contributor", author=contributor) is None  # pending
    review.record(demo, node, verdicts("poursuite-des-communs"), "Quel commun ?", role="curator",
                  author=None, acts_for=MEMBER, today=DAY)
    assert review.entry(demo, node).status == "declined"
    review.resubmit(demo, node, role="contributor", author=contributor)
    found = review.entry(demo, node)
    assert found.status == "pending" and found.reviews[0].comment == "Quel commun ?"
    assert [p.iri for p in review.pending(demo)[0]] == [node.value]


def test_pending_lists_proposals_with_their_proposer_and_pages(demo, contributor):
    nodes = [propose(demo, f"Proposition {i}", by=contributor) for i in range(5)]
    first, total = review.pending(demo, limit=2)
    rest, _ = review.pending(demo, limit=10, offset=2)
    assert total == 5 and len(first) == 2 and len(rest) == 3
    assert {p.iri for p in first + rest} == {n.value for n in nodes}
    assert {(p.kind, p.proposer, p.proposed_by) for p in first} == {("initiative", "Côme", contributor)}
    # the time of each proposal is its first changeset in the history; oldest first
    times = [p.proposed_at for p in first + rest]
    assert all(times) and times == sorted(times)
    approve(demo, nodes[0])
    assert review.pending(demo)[1] == 4


def test_criteria_come_from_the_thesauri_in_charter_order(demo):
    found = review.criteria(demo)
    assert [c.slug for c in found] == list(review.CRITERIA)
    assert found[0].label["fr"] == "Indépendance" and found[0].label["en"] == "Independence"
    assert found[4].definition["fr"].startswith("L'initiative est ouverte")


def test_store_warnings_are_computed_once_per_data_version(embedded_store):
    bootstrap.init_store(embedded_store, demo=True)
    first = review.store_warnings(embedded_store, wait=30)
    assert first.current and first.computed_at is not None and not first.running
    expected = [v for v in validate_store(embedded_store).violations if v.severity == "Warning"]
    assert sorted(v.key() for v in first.warnings) == sorted(v.key() for v in expected)
    assert review.store_warnings(embedded_store).computed_at == first.computed_at  # cached
    # a write renews the data stamp: the next call computes again (a commons without a
    # steward is one of the Warning shapes)
    commons = ox.NamedNode(f"{OSCID}commons/sans-gouvernance")
    quads = [ox.Quad(commons, RDF_TYPE, N(OSC.Commons), graphs.CONTRIBUTIONS),
             ox.Quad(commons, LABEL, ox.Literal("Commun sans gouvernance", language="fr"),
                     graphs.CONTRIBUTIONS)]
    changes.apply(embedded_store, changes.Change([], quads, {graphs.CONTRIBUTIONS}), role="curator")
    second = review.store_warnings(embedded_store, wait=30)
    assert second.current
    assert commons.value in {v.focus for v in second.warnings}
    assert commons.value not in {v.focus for v in first.warnings}


def test_a_proposed_person_is_published_with_their_consent(demo, contributor):
    """Kinds without charter review are published as they are (the shapes check the consent)."""
    this, consent = contributions.THIS, ox.BlankNode()
    draft = [ox.Triple(this, LABEL, ox.Literal("Paule Personne")),
             ox.Triple(this, N(OSC.consent), consent),
             ox.Triple(consent, RDF_TYPE, N(OSC.Consent)),
             ox.Triple(consent, ox.NamedNode("http://purl.org/dc/terms/date"),
                       ox.Literal("2026-01-15", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))),
             ox.Triple(consent, N(OSC.consentScope), ox.Literal("nom", language="fr")),
             ox.Triple(consent, N(OSC.consentMethod), ox.Literal("formulaire signé", language="fr"))]
    written = contributions.create(demo, "person", draft,
                                   author=contributions.Author(contributor, "contributor"))
    node = ox.NamedNode(written.iri)
    assert written.status == "pending" and not public_quads(demo, node)
    before = snapshot(demo)
    with pytest.raises(Forbidden):
        review.publish(demo, node, role="contributor", author=contributor)
    with pytest.raises(UsageError):
        review.publish(demo, AGISSONS, role="curator", author=None)  # needs a charter review
    assert snapshot(demo) == before
    review.publish(demo, node, role="curator", author=None)
    assert review.entry(demo, node).status == "published"
    link = next(q.object for q in in_graph(demo, node, graphs.CONTRIBUTIONS) if q.predicate == N(OSC.consent))
    assert in_graph(demo, link, graphs.CONTRIBUTIONS) and not in_graph(demo, link, graphs.PRIVATE_PROPOSALS)
    assert validate_store(demo).conforms
    # withdrawn, the consent goes back with the person; published again, it comes back
    review.withdraw(demo, node, "À sa demande.", role="curator", author=None)
    assert not public_quads(demo, node) and not public_quads(demo, link)
    review.publish(demo, node, role="curator", author=None)
    assert public_quads(demo, link) and validate_store(demo).conforms
