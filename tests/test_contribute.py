"""Contributions: the write layer (create, replace, patch, ownership) and the contribution forms.

The real app on an embedded store on disk with the demo data (``web_helpers.site``), driven by
Flask's test client through the real login form.
"""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from oscartes_kg import contributions as c, graphs
from oscartes_kg.errors import Forbidden, RejectedInput, UsageError
from oscartes_kg.store import open_store
from web_helpers import make_site_data

XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "http://schema.org/"
OSC = "https://w3id.org/oscartes/ns#"
DESCRIPTION = ox.NamedNode("http://purl.org/dc/terms/description")


def fr(text: str) -> ox.Literal:
    return ox.Literal(text, language="fr")


def date(text: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + "date"))


def label(text: str) -> ox.Triple:
    return ox.Triple(c.THIS, c.RDFS_LABEL, fr(text))


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    """A demo store with one account per role: (store, login -> account IRI)."""
    data = tmp_path_factory.mktemp("contrib") / "kb"
    iris = make_site_data(data)
    with open_store(data=data) as store:
        yield store, iris


def author(iris, login: str) -> c.Author:
    role = {"cura@example.org": "curator", "root": "admin"}.get(login, "contributor")
    return c.Author(iris[login], role)


def graphs_of(store, iri: str, predicate: str | None = None) -> set:
    node = ox.NamedNode(predicate) if predicate else None
    return {q.graph_name.value for q in store.quads(ox.NamedNode(iri), node, None, None)}


def consent(node: ox.BlankNode) -> list[ox.Triple]:
    return [ox.Triple(c.THIS, ox.NamedNode(OSC + "consent"), node),
            ox.Triple(node, c.RDF_TYPE, ox.NamedNode(OSC + "Consent")),
            ox.Triple(node, ox.NamedNode("http://purl.org/dc/terms/date"), date("2026-01-15")),
            ox.Triple(node, ox.NamedNode(OSC + "consentScope"), fr("nom et compétences")),
            ox.Triple(node, ox.NamedNode(OSC + "consentMethod"), fr("formulaire papier signé"))]


# --- create ------------------------------------------------------------------------------------

def test_contributor_initiative_waits_in_the_proposals_graph(kb):
    store, iris = kb
    written = c.create(store, "initiative", [label("Jardin partagé des Ulis")],
                       author=author(iris, "contrib"))
    assert written.status == "pending"
    assert written.iri.startswith("https://w3id.org/oscartes/id/initiative/jardin-partage-des-ulis-")
    assert graphs_of(store, written.iri) == {graphs.PRIVATE_PROPOSALS.value}
    iri = ox.NamedNode(written.iri)
    assert [q.object for q in store.quads(iri, c.PROPOSAL_STATUS, None, None)] == [c.PENDING]
    assert [q.object.value for q in store.quads(iri, c.PROPOSED_BY, None, None)] == [iris["contrib"]]


def test_contributor_event_is_public_with_its_proposer_kept_private(kb):
    store, iris = kb
    written = c.create(store, "event", [label("Fête des communs"), ox.Triple(
        c.THIS, ox.NamedNode(SCHEMA + "startDate"), date("2026-06-21"))], author=author(iris, "contrib"))
    assert written.status == "published"
    assert graphs_of(store, written.iri, SCHEMA + "startDate") == {graphs.CONTRIBUTIONS.value}
    assert graphs_of(store, written.iri, OSC + "proposedBy") == {graphs.PRIVATE_PROPOSALS.value}
    assert graphs_of(store, written.iri, OSC + "proposalStatus") == set()


def test_curator_organisation_still_goes_through_review_but_person_is_direct(kb):
    store, iris = kb
    org = c.create(store, "organisation", [label("Association des Ulis")], author=author(iris, "cura@example.org"))
    assert org.status == "pending"
    person = c.create(store, "person", [label("Paule Personne"), *consent(ox.BlankNode())],
                      author=author(iris, "cura@example.org"))
    assert person.status == "published"
    assert graphs_of(store, person.iri, c.RDFS_LABEL.value) == {graphs.CONTRIBUTIONS.value}


def test_person_needs_consent_even_as_a_proposal_and_nothing_is_written(kb):
    store, iris = kb
    count = sum(1 for _ in store.quads(None, c.RDFS_LABEL, fr("Jean Sans Consentement"), None))
    with pytest.raises(RejectedInput) as raised:
        c.create(store, "person", [label("Jean Sans Consentement")], author=author(iris, "contrib"))
    paths = {v.path for v in raised.value.report.errors}
    assert paths == {f"<{OSC}consent>"}
    assert "consentement" in raised.value.report.errors[0].message("fr")
    assert sum(1 for _ in store.quads(None, c.RDFS_LABEL, fr("Jean Sans Consentement"), None)) == count


def test_person_contact_details_go_to_the_private_contacts_graph(kb):
    store, iris = kb
    node = ox.BlankNode()
    written = c.create(store, "person", [
        label("Marie Contact"), *consent(node),
        ox.Triple(c.THIS, ox.NamedNode(SCHEMA + "email"), ox.Literal("marie@example.org")),
        ox.Triple(c.THIS, ox.NamedNode(SCHEMA + "telephone"), ox.Literal("01 23 45 67 89")),
        ox.Triple(c.THIS, ox.NamedNode(SCHEMA + "address"), ox.Literal("1 rue des Lilas, Les Ulis"))],
        author=author(iris, "contrib"))
    for prop in ("email", "telephone", "address"):
        assert graphs_of(store, written.iri, SCHEMA + prop) == {graphs.PRIVATE_CONTACTS.value}
    consent_iri = next(store.quads(ox.NamedNode(written.iri), ox.NamedNode(OSC + "consent"), None, None)).object
    assert consent_iri.value.startswith("https://w3id.org/oscartes/id/consent/marie-contact-")
    assert graphs_of(store, consent_iri.value) == {graphs.PRIVATE_PROPOSALS.value}


def test_oversized_value_is_a_size_error_and_writes_nothing(kb):
    store, iris = kb
    with pytest.raises(UsageError) as raised:
        c.create(store, "event", [label("Énorme"), ox.Triple(c.THIS, DESCRIPTION, fr("x" * 1_000_000))],
                 author=author(iris, "contrib"))
    assert "trop longue" in raised.value.message and raised.value.rule == "size"
    assert not any(True for _ in store.quads(None, c.RDFS_LABEL, fr("Énorme"), None))


def test_anonymous_cannot_create(kb):
    store, _ = kb
    with pytest.raises(Forbidden):
        c.create(store, "event", [label("Anonyme")], author=c.Author("urn:x", None))


# --- edit ------------------------------------------------------------------------------------

def test_owner_replaces_and_lifecycle_is_kept(kb):
    store, iris = kb
    written = c.create(store, "initiative", [label("Atelier vélo"),
                                             ox.Triple(c.THIS, DESCRIPTION, fr("Un atelier de réparation de vélos, ouvert à tous."))],
                       author=author(iris, "contrib"))
    iri = ox.NamedNode(written.iri)
    again = c.replace(store, iri, [label("Atelier vélo solidaire")], author=author(iris, "contrib"))
    assert again.status == "pending"
    assert [q.object for q in store.quads(iri, c.RDFS_LABEL, None, None)] == [fr("Atelier vélo solidaire")]
    assert not any(True for _ in store.quads(iri, DESCRIPTION, None, None))
    assert [q.object for q in store.quads(iri, c.PROPOSAL_STATUS, None, None)] == [c.PENDING]
    assert [q.object for q in store.quads(iri, c.RDF_TYPE, None, None)] == [c.KIND_CLASSES["initiative"]]


def test_patch_replaces_given_values_and_removes_cleared_ones(kb):
    store, iris = kb
    written = c.create(store, "event", [label("Bal"), ox.Triple(c.THIS, DESCRIPTION, fr("Un bal populaire pour fêter l'été ensemble.")),
                                        ox.Triple(c.THIS, ox.NamedNode(SCHEMA + "startDate"), date("2026-07-14"))],
                       author=author(iris, "contrib"))
    iri = ox.NamedNode(written.iri)
    c.patch(store, iri, [ox.Triple(c.THIS, ox.NamedNode(SCHEMA + "startDate"), date("2026-07-13"))],
            [DESCRIPTION], author=author(iris, "contrib"))
    assert [q.object for q in store.quads(iri, ox.NamedNode(SCHEMA + "startDate"), None, None)] == [date("2026-07-13")]
    assert not any(True for _ in store.quads(iri, DESCRIPTION, None, None))
    assert [q.object for q in store.quads(iri, c.RDFS_LABEL, None, None)] == [fr("Bal")]


def test_contributor_cannot_edit_another_contributors_entry_but_curator_can(kb):
    store, iris = kb
    written = c.create(store, "commons", [label("Grainothèque")], author=author(iris, "contrib"))
    iri = ox.NamedNode(written.iri)
    with pytest.raises(Forbidden):
        c.replace(store, iri, [label("Volée")], author=author(iris, "contrib2"))
    assert [q.object for q in store.quads(iri, c.RDFS_LABEL, None, None)] == [fr("Grainothèque")]
    c.replace(store, iri, [label("Grainothèque des Ulis")], author=author(iris, "cura@example.org"))
    assert [q.object for q in store.quads(iri, c.RDFS_LABEL, None, None)] == [fr("Grainothèque des Ulis")]


def test_edit_that_breaks_a_shape_writes_nothing(kb):
    store, iris = kb
    written = c.create(store, "event", [label("Marché"), ox.Triple(
        c.THIS, ox.NamedNode(SCHEMA + "startDate"), date("2026-09-01"))], author=author(iris, "contrib"))
    iri = ox.NamedNode(written.iri)
    before = set(store.quads(iri, None, None, None))
    with pytest.raises(RejectedInput) as raised:
        c.replace(store, iri, [label("Marché")], author=author(iris, "contrib"))
    assert {v.path for v in raised.value.report.errors} == {f"<{SCHEMA}startDate>"}
    assert set(store.quads(iri, None, None, None)) == before


def test_entries_of_lists_status_and_the_rejection_reason(kb):
    store, iris = kb
    written = c.create(store, "initiative", [label("Projet refusé")], author=author(iris, "contrib2"))
    iri = ox.NamedNode(written.iri)
    review = ox.NamedNode(written.iri.replace("/initiative/", "/review/"))
    # what the review workflow (engineer C) writes on rejection, per the contract
    store.insert([
        ox.Quad(iri, c.HAS_REVIEW, review, graphs.PRIVATE_PROPOSALS),
        ox.Quad(review, c.REVIEW_OUTCOME, c.REJECTED, graphs.PRIVATE_PROPOSALS),
        ox.Quad(review, c.DCTERMS_DATE, date("2026-02-01"), graphs.PRIVATE_PROPOSALS),
        ox.Quad(review, c.RDFS_COMMENT, fr("Portée par un parti politique."), graphs.PRIVATE_PROPOSALS)])
    store.apply([ox.Quad(iri, c.PROPOSAL_STATUS, c.PENDING, graphs.PRIVATE_PROPOSALS)],
                [ox.Quad(iri, c.PROPOSAL_STATUS, c.DECLINED, graphs.PRIVATE_PROPOSALS)])
    entries = {e.iri: e for e in c.entries_of(store, iris["contrib2"])}
    assert entries[written.iri].status == "declined"
    assert entries[written.iri].reason == "Portée par un parti politique."
    assert all(e.iri != written.iri for e in c.entries_of(store, iris["contrib"]))
