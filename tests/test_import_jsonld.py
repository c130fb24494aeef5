"""JSON-LD import: schema.org, ESSGlobal and Murmurations profiles, with contexts shipped locally
and never fetched (a live server that records requests sees none)."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from import_helpers import DATA, demo_store, file_server

from oscartes_kg import graphs, importers
from oscartes_kg.errors import ParseError
from oscartes_kg.importers.identity import entry_iri

OSC = "https://w3id.org/oscartes/ns#"
THEME = "https://w3id.org/oscartes/id/theme/"
COMMUNE_ULIS = "https://w3id.org/oscartes/id/territory/commune-91692"


@pytest.fixture
def store(tmp_path):
    with demo_store(tmp_path / "kb") as opened:
        yield opened


def facts(store, iri: str) -> dict:
    found: dict = {}
    for quad in store.quads(ox.NamedNode(iri), None, None, None):
        found.setdefault(quad.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1], []).append(quad.object.value)
    return {k: sorted(v) for k, v in found.items()}


def test_import_jsonld_schema_org_organisation_and_event(store):
    summary = importers.import_source(store, "jsonld", str(DATA / "schema-org.jsonld"), source_name="carte")
    org = entry_iri("organisation", "carte", "https://carte.example.org/acteurs/epicerie-solidaire").value
    event = entry_iri("event", "carte", "https://carte.example.org/evenements/repair-cafe").value
    assert sorted(summary.created) == sorted([org, event])
    assert [r.reason.split(" :")[0] for r in summary.rejected] == ["pas d'« @id »"]
    org_facts = facts(store, org)
    assert org_facts["theme"] == [THEME + "alimentation", THEME + "circuits-courts"]
    assert org_facts["commune"] == [COMMUNE_ULIS]
    assert org_facts["lat"] == ["48.6802"] and org_facts["long"] == ["2.1701"]
    assert org_facts["sameAs"] == ["https://carte.example.org/acteurs/epicerie-solidaire"]
    assert org_facts["url"] == ["https://epicerie.example.org"]
    assert summary.unmapped == {"épicerie": 1}
    assert facts(store, event)["startDate"] == ["2026-04-11"]
    assert facts(store, event)["theme"] == [THEME + "repair-cafes"]


def test_import_jsonld_essglobal_initiative_themes_through_close_match(store):
    summary = importers.import_source(store, "jsonld", str(DATA / "essglobal.jsonld"), source_name="sse")
    iri = entry_iri("organisation", "sse", "https://sse.example.org/initiative/42").value
    assert summary.created == [iri]
    found = facts(store, iri)
    assert found["label"] == ["Coopérative énergétique fictive"]
    assert found["url"] == ["https://energie-coop.example.org"]
    assert found["theme"] == [THEME + "alimentation"]  # ESSGlobal T2, our skos:closeMatch
    assert found["commune"] == [COMMUNE_ULIS] and found["lat"] == ["48.68"]


def test_import_jsonld_murmurations_organisation_profile(store):
    summary = importers.import_source(store, "jsonld", str(DATA / "murmurations-organisation.json"),
                                      source_name="murm")
    iri = entry_iri("organisation", "murm", "https://atelier-velo-partage.example.org").value
    assert summary.created == [iri] and not summary.rejected
    found = facts(store, iri)
    assert found["email"] == ["contact@atelier-velo-partage.example.org"]
    assert found["theme"] == [THEME + "reparation", THEME + "velo"]
    assert found["lat"] == ["48.6814"] and found["long"] == ["2.1694"]


def test_import_jsonld_murmurations_offers_and_wants_posted_by_their_organisation(store):
    summary = importers.import_source(store, "jsonld", str(DATA / "murmurations-offers.json"),
                                      source_name="murm")
    assert len(summary.created) == 3 and not summary.rejected, summary.to_text()
    org = entry_iri("organisation", "murm", "https://ressourcerie-plateau.example.org").value
    offer = entry_iri("offer", "murm", "https://ressourcerie-plateau.example.org/offres/outils").value
    need = entry_iri("need", "murm", "https://ressourcerie-plateau.example.org/offres/benevoles").value
    assert facts(store, offer)["postedBy"] == [org] and facts(store, need)["postedBy"] == [org]
    assert facts(store, offer)["type"] == [OSC + "Offer"] and facts(store, need)["type"] == [OSC + "Need"]
    assert facts(store, offer)["needOfferKind"] == ["https://w3id.org/oscartes/id/need-offer-kind/materiel"]


def test_import_jsonld_never_fetches_a_context(store, tmp_path):
    with file_server({"/context.jsonld": (b'{"@context": {"name": "http://schema.org/name"}}',
                                          "application/ld+json")}) as (url, hits):
        document = {"@context": url + "/context.jsonld",
                    "@id": "https://e.example.org/a", "@type": "http://schema.org/Organization",
                    "name": "Piège à contexte"}
        path = tmp_path / "remote-context.jsonld"
        path.write_text(json.dumps(document), encoding="utf-8")
        with pytest.raises(ParseError, match="jamais de « @context »") as caught:
            importers.import_source(store, "jsonld", str(path), source_name="piege")
        nested = {"@context": [{"@import": url + "/context.jsonld"}], "@graph": []}
        path.write_text(json.dumps(nested), encoding="utf-8")
        with pytest.raises(ParseError, match="refusé"):
            importers.import_source(store, "jsonld", str(path), source_name="piege")
        known = tmp_path / "known.jsonld"
        known.write_bytes((DATA / "schema-org.jsonld").read_bytes())
        importers.import_source(store, "jsonld", str(known), source_name="carte")
    assert hits == []
    assert url + "/context.jsonld" in str(caught.value)
    assert graphs.import_graph("piege") not in store.graphs()
