"""The privacy notice at /privacy (GDPR art. 12-14, issue 5 section 5): French by default,
English on request, every category with its reason, duration and readers, the configured contact
address, the licence, and a link from every page's footer."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app import create_app
from oscartes_kg.config import Settings

CATEGORIES = ("organisations", "persons", "contacts", "accounts", "proposals", "history", "logs")


class Table(HTMLParser):
    """The rows of the page's table: id -> the text of each cell."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._row = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and attrs.get("id", "").startswith("privacy-"):
            self._row = attrs["id"].removeprefix("privacy-")
            self.rows[self._row] = []
        elif tag in ("th", "td") and self._row:
            self.rows[self._row].append("")

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._row and self.rows[self._row]:
            self.rows[self._row][-1] += data


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    data = tmp_path_factory.mktemp("privacy") / "kb"
    app = create_app(Settings(data=data, privacy_contact="dpo-test@collectif.example",
                              map_tile_url="https://tuiles.example.net/{z}/{x}/{y}.png"))
    yield app.test_client()
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


def rows_of(text: str) -> dict[str, list[str]]:
    table = Table()
    table.feed(text)
    return {key: [" ".join(cell.split()) for cell in cells] for key, cells in table.rows.items()}


def test_french_page_states_what_why_how_long_and_who_for_each_category(client):
    answer = client.get("/privacy")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and '<html lang="fr"' in text
    assert "Données personnelles et vie privée" in text
    rows = rows_of(text)
    assert set(rows) == set(CATEGORIES)
    for key, cells in rows.items():
        assert len(cells) == 4 and all(len(cell) > 10 for cell in cells), key
    assert "consentement" in rows["persons"][0] and "art. 6(1)(a)" in rows["persons"][1]
    assert "curateurs" in rows["contacts"][3] and "graphe privé" in rows["contacts"][3]
    assert "argon2id" in rows["accounts"][0] and "art. 6(1)(b)" in rows["accounts"][1]
    assert "effacement RGPD" in rows["history"][2]
    assert "aucun traceur" in rows["logs"][2]


def test_the_page_names_the_configured_contact_the_rights_the_licence_and_snapshots(client):
    text = client.get("/privacy").get_data(as_text=True)
    assert 'href="mailto:dpo-test@collectif.example"' in text
    assert "rgpd@oscartes.example" not in text  # the placeholder gave way to the setting
    assert "oscartes-kg gdpr export" in text and "oscartes-kg gdpr erase" in text
    assert "art. 17" in text and "art. 15 et 20" in text and "CNIL" in text
    assert "CC BY-SA 4.0" in text and "creativecommons.org/licenses/by-sa/4.0" in text
    assert "oscartes-kg snapshot" in text and "instantané" in text
    assert "tuiles.example.net" in text  # the one third party the browser talks to


def test_english_is_available_and_says_the_same(client):
    english = client.get("/privacy?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in english and "Personal data and privacy" in english
    rows = rows_of(english)
    assert set(rows) == set(CATEGORIES)
    assert "dpo-test@collectif.example" in english and "CC BY-SA 4.0" in english
    french = client.get("/privacy?lang=fr").get_data(as_text=True)
    for marker in ("art. 6(1)(a)", "art. 6(1)(b)", "art. 12(3)", "art. 17(2)", "argon2id"):
        assert marker in french and marker in english, marker


def test_every_page_links_the_privacy_page_in_its_footer(client):
    for path in ("/", "/search", "/privacy", "/sparql"):
        text = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        footer = re.search(r"<footer.*?</footer>", text, re.S).group(0)
        assert 'href="/privacy"' in footer and "Données personnelles" in footer, path
