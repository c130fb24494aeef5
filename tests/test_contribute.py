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
    # Its author edits it: it waits for a review again, in that same write.
    c.patch(store, iri, [label("Projet revu")], author=author(iris, "contrib2"))
    assert {e.iri: e for e in c.entries_of(store, iris["contrib2"])}[written.iri].status == "pending"


# --- the forms, through the real app -------------------------------------------------------------

from web_helpers import csrf_from, log_in, site  # noqa: E402


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    with site(tmp_path_factory.mktemp("forms-web")) as (app, iris):
        yield app, iris


def logged(app, login="contrib"):
    client = app.test_client()
    log_in(client, login)
    return client


def test_anonymous_users_are_sent_to_login(web):
    app, _ = web
    client = app.test_client()
    for path in ("/contribute", "/contribute/event", "/my-contributions"):
        reply = client.get(path)
        assert (reply.status_code, reply.headers["Location"]) == (303, f"/login?next={path}")
    assert client.post("/contribute/event", data={"label": "x"}).status_code == 303


def test_nav_has_contribuer_and_every_kind_has_a_form(web):
    app, _ = web
    client = logged(app)
    assert '<a href="/contribute">Contribuer</a>' in client.get("/").get_data(as_text=True)
    for kind in c.KIND_CLASSES:
        page = client.get(f"/contribute/{kind}").get_data(as_text=True)
        assert 'name="csrf_token"' in page and 'name="label"' in page, kind
    person = client.get("/contribute/person").get_data(as_text=True)
    assert 'name="consent.date" type="date"' in person and "privé" in person


def test_post_without_csrf_is_refused(web):
    app, _ = web
    client = logged(app)
    reply = client.post("/contribute/event", data={"label": "Sans jeton", "startDate": "2026"})
    assert reply.status_code == 400
    assert not any(True for _ in app.extensions["oscartes_store"].quads(None, c.RDFS_LABEL, fr("Sans jeton"), None))


def test_errors_next_to_fields_and_typed_values_kept(web):
    app, _ = web
    client = logged(app)
    token = csrf_from(client.get("/contribute/event").get_data(as_text=True))
    reply = client.post("/contribute/event", data={"csrf_token": token, "label": "Ciné-débat",
                                                    "startDate": "2026-10-10", "endDate": "2026-10-01",
                                                    "description": "court"})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "Rien n&#39;a été enregistré" in page
    assert 'value="Ciné-débat"' in page and 'value="2026-10-01"' in page and ">court</textarea>" in page
    field = page[page.index('data-field="startDate"'):page.index('data-field="endDate"')]
    assert "antérieure à sa date de début" in field
    assert not any(True for _ in app.extensions["oscartes_store"].quads(None, c.RDFS_LABEL, fr("Ciné-débat"), None))


def test_consent_errors_go_to_their_sub_fields(web):
    app, _ = web
    client = logged(app)
    token = csrf_from(client.get("/contribute/person").get_data(as_text=True))
    reply = client.post("/contribute/person", data={"csrf_token": token, "label": "Léa Dupont",
                                                     "consent.date": "2026-01-10", "email": "lea@example.org"})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    scope = page[page.index('data-field="consent.consentScope"'):page.index('data-field="consent.consentMethod"')]
    assert "Précisez ce que la personne accepte de voir publié" in scope
    assert 'value="lea@example.org"' in page


def test_person_with_consent_is_proposed_and_its_email_stays_private(web):
    app, iris = web
    client = logged(app)
    token = csrf_from(client.get("/contribute/person").get_data(as_text=True))
    reply = client.post("/contribute/person", data={
        "csrf_token": token, "label": "Hugo Martin", "email": "hugo@example.org",
        "consent.date": "2026-01-10", "consent.consentScope": "nom", "consent.consentMethod": "courriel",
        "commune": "Les Ulis (91692)", "address": "3 rue des Lilas"})
    assert reply.status_code == 303 and reply.headers["Location"].startswith("/my-contributions")
    store = app.extensions["oscartes_store"]
    person = next(store.quads(None, c.RDFS_LABEL, fr("Hugo Martin"), None)).subject
    private = {q.predicate.value: q.graph_name for q in store.quads(person, None, None, None)}
    assert private[SCHEMA + "email"] == graphs.PRIVATE_CONTACTS == private[SCHEMA + "address"]
    mine = client.get("/my-contributions").get_data(as_text=True)
    assert "Hugo Martin" in mine and "en attente de relecture" in mine


def test_hostile_text_in_a_form_is_stored_as_text_and_shown_escaped(web):
    app, _ = web
    client = logged(app)
    token = csrf_from(client.get("/contribute/event").get_data(as_text=True))
    hostile = '<img src=x onerror=alert(1)> "} ; DELETE WHERE { ?s ?p ?o }'
    reply = client.post("/contribute/event", data={"csrf_token": token, "label": hostile + "\x07",
                                                    "startDate": "2026-11-11"})
    assert reply.status_code == 303
    page = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert any(True for _ in app.extensions["oscartes_store"].quads(None, c.RDFS_LABEL, fr(hostile), None))
    huge = client.post("/contribute/event", data={"csrf_token": token, "label": "Gros",
                                                   "startDate": "2026-11-11", "description": "x" * 1_000_000})
    assert huge.status_code == 422 and "texte trop long" in huge.get_data(as_text=True)
    bad_iri = client.post("/contribute/need", data={"csrf_token": token, "label": "Besoin",
                                                     "needOfferKind": "", "postedBy": "pas une adresse"})
    page = bad_iri.get_data(as_text=True)
    field = page[page.index('data-field="postedBy"'):]
    assert bad_iri.status_code == 422 and "n&#39;est pas l&#39;adresse (IRI) d&#39;une fiche" in field


def test_edit_is_prefilled_for_the_owner_and_refused_to_others(web):
    app, _ = web
    owner = logged(app)
    token = csrf_from(owner.get("/contribute/commons").get_data(as_text=True))
    reply = owner.post("/contribute/commons", data={"csrf_token": token, "label": "Four à pain",
                                                     "sharedResource": "un four", "governance": "assemblée",
                                                     "theme": ["https://w3id.org/oscartes/id/theme/alimentation"]})
    path = reply.headers["Location"]
    form = owner.get(path + "/edit").get_data(as_text=True)
    assert 'value="Four à pain"' in form and 'value="https://w3id.org/oscartes/id/theme/alimentation" checked' in form
    assert logged(app, "contrib2").get(path + "/edit").status_code == 403
    saved = owner.post(path + "/edit", data={"csrf_token": csrf_from(form), "label": "Four à pain communal",
                                              "sharedResource": "un four", "governance": "assemblée"})
    assert saved.status_code == 303 and saved.headers["Location"] == path
    assert "Four à pain communal" in owner.get(path).get_data(as_text=True)
    assert logged(app, "cura@example.org").get(path + "/edit").status_code == 200


def test_a_form_renders_and_submits_in_chromium(tmp_path, live_server, browser):
    """One real browser pass: log in, pick a commune (the marker fills the coordinates), submit
    a mistake, see it next to its field with the typed text kept, fix it, and land on the page."""
    with site(tmp_path) as (app, _):
        url = live_server(app)
        page = browser.new_page()
        try:
            page.goto(f"{url}/login?next=/contribute/event")
            page.fill("#login", "contrib")
            page.fill("#password", "un mot de passe assez long")
            page.click("form.login-form button[type=submit]")
            page.wait_for_url(f"{url}/contribute/event")
            page.fill("#f-label", "Fête de la soupe")
            page.fill("#f-startDate", "2026-10-40")
            page.fill("#f-commune", "Les Ulis (91692)")
            page.dispatch_event("#f-commune", "change")
            assert page.input_value("input[data-geo=lat]") == "48.681"
            page.click("form.contribute-form button[type=submit]")
            assert "date invalide" in page.inner_text('[data-field="startDate"]')
            assert page.input_value("#f-label") == "Fête de la soupe"
            page.fill("#f-startDate", "2026-10-04")
            page.click("form.contribute-form button[type=submit]")
            page.wait_for_url(f"{url}/id/event/**")
            assert "Fête de la soupe" in page.inner_text("h1")
        finally:
            page.close()
