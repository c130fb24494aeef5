"""Contact details of a person (private contacts graph) on their page: curators and admins see
them, nobody else does, and such a page is never cached (issue 5, section 5)."""
from __future__ import annotations

from pathlib import Path

import pytest

from oscartes_kg import ingest
from web_helpers import log_in, site

DATA = Path(__file__).parent / "data" / "gdpr" / "person.trig"
PAGE = "/id/person/zephyrine-quatrebarbes-a1b2c3"
EMAIL, PHONE, STREET = "zephyrine@quatre-rgpd.example", "0612345678", "Secrets-Bien-Gardés"
HEADING = "Coordonnées (visibles des membres du collectif)"


@pytest.fixture
def gdpr_site(tmp_path):
    with site(tmp_path) as (app, iris):
        ingest.load(app.extensions["oscartes_store"], [DATA], message="GDPR test person")
        yield app


def _page(app, login=None, path=PAGE):
    client = app.test_client()
    if login:
        assert log_in(client, login).status_code in (302, 303)
    return client.get(path, headers={"Accept": "text/html"})


@pytest.mark.parametrize("login", [None, "contrib"])
def test_anonymous_and_contributor_never_see_contact_details(gdpr_site, login):
    for suffix in ("", ".ttl", ".jsonld"):
        answer = _page(gdpr_site, login, PAGE + suffix)
        text = answer.get_data(as_text=True)
        assert answer.status_code == 200
        assert "Zéphyrine Quatrebarbes" in text  # the public page is there...
        for secret in (EMAIL, PHONE, STREET, "Coordonnées", "private/contacts"):  # ...not the contacts
            assert secret not in text, (login, suffix, secret)
        assert "no-store" not in answer.headers.get("Cache-Control", "")


@pytest.mark.parametrize("login", ["cura@example.org", "root"])
def test_curator_and_admin_see_contact_details_on_an_uncached_page(gdpr_site, login):
    answer = _page(gdpr_site, login)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert HEADING in text
    section = text.split('id="entity-contacts"')[1].split("</section>")[0]
    assert EMAIL in section and PHONE in section and STREET in section and "Les Ulis" in section
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert "Cookie" in answer.headers["Vary"] and "Accept" in answer.headers["Vary"]


def test_the_contact_block_is_in_english_too(gdpr_site):
    text = _page(gdpr_site, "cura@example.org", PAGE + "?lang=en").get_data(as_text=True)
    assert "Contact details (visible to members of the collective)" in text and EMAIL in text


def test_a_curator_sees_no_contact_block_for_an_organisation_without_contacts(gdpr_site):
    answer = _page(gdpr_site, "cura@example.org", "/id/organisation/poles-noe")
    assert answer.status_code == 200 and HEADING not in answer.get_data(as_text=True)


def test_public_person_page_shows_the_consent_scope_and_nothing_private(gdpr_site):
    """What the consent allows (its scope) is on the page; the contacts and the other
    person's e-mail (private graph) are not."""
    text = _page(gdpr_site).get_data(as_text=True)
    assert "nom, description et appartenance au collectif" in text and "2 mars 2026" in text
    assert "octave@survivant.example" not in text and EMAIL not in text
