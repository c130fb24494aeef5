"""The curation pages (app.curation): who may see and act, the review and withdrawal forms.

The real app on the demo store (``web_helpers.site``), driven through Flask's test client with
real logins and CSRF tokens; proposals come from the contribution layer as a contributor.
"""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from web_helpers import csrf_from, log_in, site

from app import curation
from oscartes_kg import accounts, changes, contributions, graphs, review
from oscartes_kg.namespaces import OSCID

LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DESCRIPTION = ox.NamedNode("http://purl.org/dc/terms/description")
PASSWORD = "un mot de passe assez long"


@pytest.fixture
def demo_site(tmp_path):
    with site(tmp_path) as (app, iris):
        yield app, iris


def store_of(app):
    return app.extensions["oscartes_store"]


def propose(app, iris, label: str, login: str = "contrib") -> contributions.Written:
    draft = [ox.Triple(contributions.THIS, LABEL, ox.Literal(label, language="fr")),
             ox.Triple(contributions.THIS, DESCRIPTION, ox.Literal(f"Description de {label}.", language="fr"))]
    return contributions.create(store_of(app), "initiative", draft,
                                author=contributions.Author(iris[login], "contributor"))


def client_as(app, login: str | None):
    client = app.test_client()
    if login:
        assert log_in(client, login).status_code == 303
    return client


def review_form(client, path: str, *not_affirmed: str, comment: str = "") -> dict:
    token = csrf_from(client.get(path).text)
    form = {"csrf_token": token, "comment": comment}
    for slug in review.CRITERIA:
        form[f"verdict-{slug}"] = "not-affirmed" if slug in not_affirmed else "affirmed"
        form[f"comment-{slug}"] = f"vu : {slug}"
    return form


def snapshot(store) -> set:
    return set(store.quads())


def test_the_curation_page_is_for_curators_and_admins(demo_site):
    app, iris = demo_site
    written = propose(app, iris, "Atelier vélo solidaire")
    assert app.test_client().get("/curation").status_code == 401
    assert client_as(app, "contrib").get("/curation").status_code == 403
    for login in ("cura@example.org", "root"):
        page = client_as(app, login).get("/curation")
        assert page.status_code == 200
        assert "Atelier vélo solidaire" in page.text and "Côme Contributeur" in page.text
        assert f'href="/curation/initiative/{written.slug}"' in page.text
        assert 'href="/curation"' in page.text  # the nav entry, for curators and admins only
    assert 'href="/curation"' not in client_as(app, "contrib").get("/").text


def test_the_pending_list_pages(demo_site, monkeypatch):
    app, iris = demo_site
    for label in ("Proposition A", "Proposition B", "Proposition C"):
        propose(app, iris, label)
    monkeypatch.setattr(curation, "PAGE_SIZE", 2)
    client = client_as(app, "cura@example.org")
    first, second = client.get("/curation").text, client.get("/curation?page=2").text
    shown = [label for label in ("Proposition A", "Proposition B", "Proposition C")
             if label in first]
    assert len(shown) == 2 and 'rel="next"' in first and "Page 1 / 2" in first
    assert [label for label in ("Proposition A", "Proposition B", "Proposition C")
            if label in second] == sorted({"Proposition A", "Proposition B", "Proposition C"} - set(shown))
    assert 'rel="prev"' in second


def test_the_proposal_page_shows_the_form_to_curators_and_the_entry_to_its_proposer(demo_site):
    app, iris = demo_site
    written = propose(app, iris, "Repair café des Ulis")
    path = f"/curation/initiative/{written.slug}"
    curator = client_as(app, "cura@example.org").get(path)
    assert curator.status_code == 200 and 'name="verdict-independance"' in curator.text
    for criterion in review.criteria(store_of(app)):
        assert criterion.label["fr"] in curator.text
    owner = client_as(app, "contrib").get(path)
    assert owner.status_code == 200 and "Repair café des Ulis" in owner.text
    assert "verdict-independance" not in owner.text and "en attente de relecture" in owner.text
    assert client_as(app, "contrib2").get(path).status_code == 403
    assert app.test_client().get(path).status_code == 401
    assert client_as(app, "cura@example.org").get("/curation/initiative/inconnue-000000").status_code == 404


def test_a_curator_publishes_through_the_form(demo_site):
    app, iris = demo_site
    written = propose(app, iris, "Jardin des Hautes Plaines")
    client = client_as(app, "cura@example.org")
    path = f"/curation/initiative/{written.slug}"
    assert app.test_client().get(f"/id/initiative/{written.slug}").status_code == 404
    answer = client.post(path, data=review_form(client, path, comment="Très bien."))
    assert answer.status_code == 303 and answer.headers["Location"].endswith("?done=approved")
    page = client.get(answer.headers["Location"]).text
    assert 'data-status="published"' in page and "vu : independance" in page
    public = app.test_client().get(f"/id/initiative/{written.slug}")
    assert public.status_code == 200 and "Jardin des Hautes Plaines" in public.text
    assert written.slug in app.test_client().get("/search.json?q=Hautes+Plaines").text
    entry = review.entry(store_of(app), ox.NamedNode(written.iri))
    assert entry.reviews[0].reviewer == f"{OSCID}organisation/poles-noe"
    assert "Jardin des Hautes Plaines" not in client.get("/curation").text  # no longer pending


def test_a_rejection_needs_a_reason_and_the_proposer_sees_it(demo_site):
    app, iris = demo_site
    written = propose(app, iris, "Projet sans commun")
    client = client_as(app, "cura@example.org")
    path = f"/curation/initiative/{written.slug}"
    before = snapshot(store_of(app))
    form = review_form(client, path, "poursuite-des-communs")
    refused = client.post(path, data=form)
    assert refused.status_code == 400 and "raison" in refused.text
    assert 'value="not-affirmed" checked' in refused.text  # what was chosen is kept
    assert snapshot(store_of(app)) == before
    form["comment"] = "Aucun commun n'est poursuivi <script>alert(1)</script>."
    assert client.post(path, data=form).headers["Location"].endswith("?done=rejected")
    owner = client_as(app, "contrib").get(path).text
    assert 'id="rejection-reason"' in owner and "Aucun commun n&#39;est poursuivi &lt;script&gt;" in owner
    assert app.test_client().get(f"/id/initiative/{written.slug}").status_code == 404


def test_a_contributor_can_never_publish_nor_withdraw(demo_site):
    """Even posting the curator's form by hand, with a valid CSRF token of their own session."""
    app, iris = demo_site
    written = propose(app, iris, "Mon projet à moi")
    path = f"/curation/initiative/{written.slug}"
    before = snapshot(store_of(app))
    client = client_as(app, "contrib")
    token = csrf_from(client.get("/").text)
    form = {"csrf_token": token, "comment": "je me publie"}
    form.update({f"verdict-{slug}": "affirmed" for slug in review.CRITERIA})
    assert client.post(path, data=form).status_code == 403
    assert client.post("/curation/initiative/agissons-pour-le-climat/withdraw",
                       data={"csrf_token": token, "reason": "non"}).status_code == 403
    anonymous = app.test_client()
    assert anonymous.post(path, data=form).status_code == 401
    assert snapshot(store_of(app)) == before


def test_forms_without_a_csrf_token_are_refused(demo_site):
    app, iris = demo_site
    written = propose(app, iris, "Sans jeton")
    client = client_as(app, "cura@example.org")
    path = f"/curation/initiative/{written.slug}"
    form = review_form(client, path)
    del form["csrf_token"]
    before = snapshot(store_of(app))
    assert client.post(path, data=form).status_code == 400
    assert client.post("/curation/initiative/agissons-pour-le-climat/withdraw",
                       data={"reason": "test"}).status_code == 400
    assert snapshot(store_of(app)) == before


def test_a_curator_acting_for_no_member_is_told_and_nothing_is_written(demo_site):
    app, iris = demo_site
    store = store_of(app)
    accounts.create(store, "cura2@example.org", PASSWORD, "curator", "Curateur isolé",
                    acts_for=f"{OSCID}organisation/ville-des-ulis")
    accounts.create(store, "cura3@example.org", PASSWORD, "curator", "Curateur sans structure")
    written = propose(app, iris, "Initiative en attente")
    path = f"/curation/initiative/{written.slug}"
    for login in ("cura2@example.org", "cura3@example.org"):
        client = client_as(app, login)
        page = client.get(path).text
        assert 'id="reviewer-problem"' in page and "membre du collectif" in page
        assert 'name="verdict-independance"' not in page
        form = {"csrf_token": csrf_from(page), "comment": "ok"}
        form.update({f"verdict-{slug}": "affirmed" for slug in review.CRITERIA})
        before = snapshot(store)
        answer = client.post(path, data=form)
        assert answer.status_code == 403 and "rien n&#39;a été enregistré" in answer.text
        assert snapshot(store) == before


def test_withdraw_then_the_public_page_is_gone(demo_site):
    """A withdrawn entry answers 404 (not 410): public routes read public graphs only, and a
    withdrawal can be undone by a new review, so the absence is not known to be permanent."""
    app, iris = demo_site
    client = client_as(app, "cura@example.org")
    path = "/curation/initiative/agissons-pour-le-climat"
    assert app.test_client().get("/id/initiative/agissons-pour-le-climat").status_code == 200
    token = csrf_from(client.get(path).text)
    empty = client.post(f"{path}/withdraw", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 400
    answer = client.post(f"{path}/withdraw", data={"csrf_token": token, "reason": "Projet terminé."})
    assert answer.status_code == 303
    page = client.get(path).text
    assert 'data-status="withdrawn"' in page and "Projet terminé." in page
    assert app.test_client().get("/id/initiative/agissons-pour-le-climat").status_code == 404
    assert "agissons-pour-le-climat" not in app.test_client().get("/search.json?q=Agissons").text
    assert "Agissons pour le climat" not in app.test_client().get("/initiatives.atom").text
    # a new review publishes it again
    answer = client.post(path, data=review_form(client, path, comment="De retour."))
    assert answer.headers["Location"].endswith("?done=approved")
    assert app.test_client().get("/id/initiative/agissons-pour-le-climat").status_code == 200


def test_the_curation_page_lists_the_store_warnings(demo_site):
    app, iris = demo_site
    store = store_of(app)
    commons = ox.NamedNode(f"{OSCID}commons/commun-a-completer")
    quads = [ox.Quad(commons, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     ox.NamedNode("https://w3id.org/oscartes/ns#Commons"), graphs.CONTRIBUTIONS),
             ox.Quad(commons, LABEL, ox.Literal("Commun à compléter", language="fr"),
                     graphs.CONTRIBUTIONS)]
    changes.apply(store, changes.Change([], quads, {graphs.CONTRIBUTIONS}), role="curator")
    page = client_as(app, "cura@example.org").get("/curation").text
    assert 'id="warnings"' in page and "Commun à compléter" in page
    assert "La ressource mise en commun n&#39;est pas décrite" in page
    assert 'href="/curation/commons/commun-a-completer"' in page
    assert "Validation complète de la base du" in page


def test_an_entry_without_charter_review_is_withdrawn_and_published_again_by_form(demo_site):
    app, _ = demo_site
    client = client_as(app, "cura@example.org")
    path = "/curation/event/fete-des-possibles-2021"
    page = client.get(path).text
    assert "verdict-independance" not in page and "/withdraw" in page and "/publish" not in page
    token = csrf_from(page)
    assert client.post(f"{path}/withdraw", data={"csrf_token": token, "reason": "Annulé."}).status_code == 303
    assert app.test_client().get("/id/event/fete-des-possibles-2021").status_code == 404
    assert 'action="/curation/event/fete-des-possibles-2021/publish"' in client.get(path).text
    contributor = client_as(app, "contrib")
    assert contributor.post(f"{path}/publish", data={
        "csrf_token": csrf_from(contributor.get("/").text)}).status_code == 403
    answer = client.post(f"{path}/publish", data={"csrf_token": token})
    assert answer.headers["Location"].endswith("?done=published")
    assert app.test_client().get("/id/event/fete-des-possibles-2021").status_code == 200
