"""GoGoCarto import: the sample map into its own graph, with provenance; re-imports update in
place; rejected entries are reported one by one; sources read from a live HTTP server."""
from __future__ import annotations

import copy
import hashlib

import pyoxigraph as ox
import pytest
from import_helpers import GOGO, demo_store, file_server, gogo_elements, write_elements

from oscartes_kg import bootstrap, graphs, importers
from oscartes_kg.errors import NotFound, ParseError, RejectedInput, StoreError
from oscartes_kg.importers import provenance
from oscartes_kg.importers.identity import entry_iri
from oscartes_kg.importers.source import read_source

LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
THEME = ox.NamedNode("https://w3id.org/oscartes/ns#theme")
URL = ox.NamedNode("http://schema.org/url")
GRAPH = graphs.import_graph("sample")


@pytest.fixture
def store(tmp_path):
    with demo_store(tmp_path / "kb") as opened:
        yield opened


def labels(store, graph=GRAPH) -> dict:
    return {q.subject.value: q.object.value for q in store.quads(None, LABEL, None, graph)}


def test_import_gogocarto_sample_creates_every_element_in_its_own_graph(store):
    summary = importers.import_source(store, "gogocarto", str(GOGO), source_name="sample",
                                      licence="https://www.gnu.org/licenses/agpl-3.0")
    assert len(summary.created) == 12 and not summary.rejected and summary.written
    found = labels(store)
    assert found[entry_iri("organisation", "sample", "10kw").value] == "La Ruche de Chenay"
    assert len(found) == 12
    # categories of the sample taxonomy map to our themes; subcategories it lacks are reported
    ruche = ox.NamedNode(entry_iri("organisation", "sample", "10kw").value)
    assert {q.object.value for q in store.quads(ruche, THEME, None, GRAPH)} == {
        "https://w3id.org/oscartes/id/theme/alimentation"}
    assert summary.unmapped["10429"] == 5 and "10517" not in summary.unmapped  # ignored: Voyages
    assert "10429 (5 entrée(s)" in summary.to_text()


def test_import_gogocarto_records_provenance_in_the_public_sources_graph(store):
    importers.import_source(store, "gogocarto", str(GOGO), source_name="sample",
                            licence="https://www.gnu.org/licenses/agpl-3.0")
    about = {q.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]: q.object
             for q in store.quads(GRAPH, None, None, provenance.SOURCES)}
    # a local file is named by its content: the public provenance never shows a server path
    digest = hashlib.sha256(GOGO.read_bytes()).hexdigest()
    assert about["hadPrimarySource"] == ox.NamedNode(f"urn:sha256:{digest}")
    assert about["license"] == ox.NamedNode("https://www.gnu.org/licenses/agpl-3.0")
    assert about["modified"].datatype.value.endswith("dateTime")
    assert about["entities"].value == "12"
    version = next(store.quads(ox.NamedNode(GRAPH.value + "#importer"),
                               ox.NamedNode("http://schema.org/softwareVersion"), None, None))
    assert version.object.value.endswith("+import." + provenance.IMPORTER_VERSION)
    assert graphs.is_public(provenance.SOURCES)


def test_import_gogocarto_again_updates_in_place_and_removes_what_disappeared(store, tmp_path):
    importers.import_source(store, "gogocarto", str(GOGO), source_name="sample")
    first = labels(store)
    again = importers.import_source(store, "gogocarto", str(GOGO), source_name="sample")
    assert len(again.unchanged) == 12 and not again.created and not again.updated
    assert labels(store) == first  # same IRIs, no duplicates

    elements = gogo_elements()
    elements[0]["name"] = "La Ruche de Chenay (nouveau nom)"
    gone = elements.pop(1)
    extra = copy.deepcopy(elements[2])
    extra.update(id="nouveau1", name="Un nouvel élément")
    elements.append(extra)
    changed = importers.import_source(store, "gogocarto", str(write_elements(tmp_path / "v2.json", elements)),
                                      source_name="sample")
    iri = lambda key: entry_iri("organisation", "sample", key).value  # noqa: E731
    assert changed.updated == [iri("10kw")]
    assert changed.removed == [iri(gone["id"])]
    assert changed.created == [iri("nouveau1")]
    assert len(changed.unchanged) == 10
    now = labels(store)
    assert now[iri("10kw")] == "La Ruche de Chenay (nouveau nom)"
    assert iri(gone["id"]) not in now and len(now) == 12
    assert not list(store.quads(ox.NamedNode(iri(gone["id"]) + "#address"), None, None, None))


def test_import_gogocarto_rejects_violating_entries_one_by_one(store, tmp_path):
    elements = gogo_elements()
    elements[3]["website"] = "ftp://pas-un-site"
    elements[4]["name"] = ""
    elements[5]["geo"] = {"latitude": "nord", "longitude": 2}
    path = write_elements(tmp_path / "bad.json", elements)
    summary = importers.import_source(store, "gogocarto", str(path), source_name="sample")
    reasons = {r.source_id: r.reason for r in summary.rejected}
    assert "http:// ou https://" in reasons[elements[3]["id"]]  # the shape's own message
    assert "nom manquant" in reasons[elements[4]["id"]]
    assert "coordonnées" in reasons[elements[5]["id"]]
    assert len(summary.created) == 9 and len(labels(store)) == 9
    assert f"« {elements[3]['name']} »" in summary.to_text()


def test_import_gogocarto_strict_refuses_everything_on_one_rejection(store, tmp_path):
    elements = gogo_elements()
    elements[3]["website"] = "ftp://pas-un-site"
    before = store.count()
    with pytest.raises(RejectedInput, match="rien n'a été enregistré"):
        importers.import_source(store, "gogocarto", str(write_elements(tmp_path / "b.json", elements)),
                                source_name="sample", strict=True)
    assert store.count() == before and GRAPH not in store.graphs()


def test_import_gogocarto_keeps_a_stored_entry_rejected_this_time(store, tmp_path):
    importers.import_source(store, "gogocarto", str(GOGO), source_name="sample")
    elements = gogo_elements()
    elements[0]["website"] = "pas un site"
    summary = importers.import_source(store, "gogocarto", str(write_elements(tmp_path / "b.json", elements)),
                                      source_name="sample")
    assert [r.source_id for r in summary.rejected] == ["10kw"]
    assert not summary.removed  # rejected is not disappeared: the stored version stays
    assert entry_iri("organisation", "sample", "10kw").value in labels(store)


def test_import_gogocarto_from_a_live_http_server(store):
    with file_server({"/elements.json": (GOGO.read_bytes(), "application/json")}) as (url, hits):
        summary = importers.import_source(store, "gogocarto", url + "/elements.json",
                                          source_name="sample")
    assert hits == ["/elements.json"] and len(summary.created) == 12
    source = next(store.quads(GRAPH, ox.NamedNode("http://www.w3.org/ns/prov#hadPrimarySource"),
                              None, provenance.SOURCES)).object
    assert source == ox.NamedNode(url + "/elements.json")


def test_read_source_limits_size_and_reports_http_errors():
    with file_server({"/big.json": (b"[" + b" " * 5000 + b"]", "application/json")}) as (url, _):
        with pytest.raises(ParseError, match="trop grande"):
            read_source(url + "/big.json", max_bytes=1000)
        with pytest.raises(NotFound):
            read_source(url + "/missing.json")
    with pytest.raises(StoreError, match="injoignable"):
        read_source(url + "/big.json", timeout=2)  # the server has stopped


def test_import_gogocarto_mapping_naming_an_unknown_theme_is_refused(store, tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("categories:\n  10427: pas-un-theme\n", encoding="utf-8")
    with pytest.raises(ParseError, match="thème inconnu « pas-un-theme »"):
        importers.import_source(store, "gogocarto", str(GOGO), mapping=mapping, source_name="s")


def test_import_gogocarto_on_the_remote_store(remote_store):
    bootstrap.init_store(remote_store, demo=True)
    summary = importers.import_source(remote_store, "gogocarto", str(GOGO), source_name="sample")
    assert len(summary.created) == 12
    again = importers.import_source(remote_store, "gogocarto", str(GOGO), source_name="sample")
    assert len(again.unchanged) == 12 and len(labels(remote_store)) == 12


def test_issue_6_round_coordinates_reimport_unchanged(store, tmp_path):
    """The store keeps "47.0"^^xsd:decimal as "47": the importer writes that canonical form, so
    a re-import does not see a change (found by bench/import_bench.py at 10,000 elements)."""
    elements = gogo_elements()[:2]
    elements[0]["geo"] = {"latitude": 47.0, "longitude": -0.0}
    elements[1]["geo"] = {"latitude": "48,630", "longitude": 1e-05}
    path = write_elements(tmp_path / "round.json", elements)
    importers.import_source(store, "gogocarto", str(path), source_name="sample")
    again = importers.import_source(store, "gogocarto", str(path), source_name="sample")
    assert len(again.unchanged) == 2 and not again.updated
