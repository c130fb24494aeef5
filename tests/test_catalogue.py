"""The catalogue (search and map index) on both backends: text, ranking, facets, bounding boxes,
and that it follows every write path and never holds private data."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from oscartes_kg import bootstrap, catalogue, changes, dumps, graphs, ingest
from oscartes_kg.catalogue import Filters
from oscartes_kg.cli import main

DATA = Path(__file__).parent / "data"
ID = "https://w3id.org/oscartes/id/"
OSC = "https://w3id.org/oscartes/ns#"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ZEPHYR = ID + "organisation/zephyr-cooperative"
ATELIER = ID + "organisation/atelier-du-vent"
BAL = ID + "event/bal-des-zephyrs"
FETE = ID + "event/fete-des-possibles-2021"
THEME = ID + "theme/"
PALAISEAU = ID + "territory/commune-91477"
#: Demo centroids (oscartes_kg/demo/territories.trig), as (longitude, latitude).
CENTROIDS = {ID + "territory/commune-91692": (2.186, 48.681),
             ID + "territory/commune-91377": (2.275, 48.728)}


@pytest.fixture
def loaded(any_store, tmp_path):
    """A store of either backend with the demo and tests/data/catalogue.trig, and its catalogue
    in a fresh folder (the remote server is shared by the whole session)."""
    bootstrap.init_store(any_store, demo=True)
    ingest.load(any_store, [DATA / "catalogue.trig"])
    dumps.stamp_change(any_store)
    return any_store, catalogue.open_catalogue(any_store, cache_dir=tmp_path / "cache")


def labels(results) -> list[str]:
    return [hit.label for hit in results.hits]


def counts(results, field: str) -> dict:
    return {value.value: value.count for value in results.facets[field]}


def test_text_ignores_case_and_accents(loaded):
    _, found = loaded
    for text in ("fete des possibles", "FÊTE DES POSSIBLES", "Fête des possibles", "fete des poss"):
        results = found.search(text)
        assert results.hits and results.hits[0].iri == FETE, text
        assert results.hits[0].label == "Fête des possibles 2021"


def test_a_label_match_ranks_above_an_alternative_name_above_a_description(loaded):
    _, found = loaded
    results = found.search("zephyr")
    # Zéphyr is in the first's label, the second's alternative name, the third's description.
    assert [hit.iri for hit in results.hits] == [ZEPHYR, BAL, ATELIER]
    assert results.total == 3
    snippet = dict(results.hits[2].snippet)
    assert snippet.get("Zéphyr") is True  # the matched word is marked, accents kept


def test_user_text_is_never_query_syntax(loaded):
    _, found = loaded
    for text in ('"', "zephyr OR fete", "NEAR(a b)", "*", "lab*el:x", "'; DROP TABLE entity; --"):
        found.search(text)  # no FTS5 or SQL error
    assert found.search("zephyr OR fete").total == 0  # OR is a word to find, not an operator
    assert found.search("-- ;").total == found.search("").total  # no words: everything


def test_facets_count_along_the_theme_hierarchy(loaded):
    _, found = loaded
    results = found.search("")
    themes = counts(results, "theme")
    # Zéphyr is tagged AMAP < circuits courts < alimentation; the demo's Massy event is tagged
    # relocalisation alimentaire < alimentation.
    assert themes[THEME + "amap"] == 1
    assert themes[THEME + "circuits-courts"] == 1
    assert themes[THEME + "alimentation"] == 2
    by_value = {v.value: v for v in results.facets["theme"]}
    assert by_value[THEME + "amap"].parent == THEME + "circuits-courts"
    assert by_value[THEME + "circuits-courts"].parent == THEME + "alimentation"
    narrowed = found.search("", Filters(themes=(THEME + "alimentation",)))
    assert {hit.iri for hit in narrowed.hits} == {ZEPHYR, ID + "event/mois-de-la-relocalisation-alimentaire-a-massy"}
    assert counts(narrowed, "theme")[THEME + "alimentation"] == 2
    deeper = found.search("", Filters(themes=(THEME + "alimentation", THEME + "circuits-courts")))
    assert labels(deeper) == ["Zéphyr coopérative"]


def test_facets_for_kind_territory_status_and_competence(loaded):
    _, found = loaded
    results = found.search("")
    assert counts(results, "kind")["event"] == 5  # four demo events and the bal
    territory = counts(results, "commune")
    assert territory[PALAISEAU] == 1
    assert territory[ID + "territory/departement-91"] >= 5  # communes are in the Essonne
    status = counts(results, "status")
    assert status[ID + "status/cooperative"] == 1     # from the class osc:Cooperative
    assert status[ID + "status/association"] == 2     # the demo's union and the atelier
    competence = counts(results, "competence")
    assert competence[ID + "competence/permaculture"] == 1
    assert competence[ID + "competence/maraichage-jardinage"] == 1  # the broader one counts it too
    coops = found.search("", Filters(kinds=("organisation",), statuses=(ID + "status/cooperative",)))
    assert labels(coops) == ["Zéphyr coopérative"]
    at_palaiseau = found.search("", Filters(communes=(PALAISEAU,)))
    assert labels(at_palaiseau) == ["Zéphyr coopérative"]


def test_pages_and_total(loaded):
    _, found = loaded
    first, second = found.search("", page=1, size=10), found.search("", page=2, size=10)
    assert first.total == second.total > 20 and first.pages == -(-first.total // 10)
    assert len(first.hits) == 10 and not {h.iri for h in first.hits} & {h.iri for h in second.hits}
    assert [h.label for h in first.hits] == sorted((h.label for h in first.hits),
                                                  key=catalogue.index.sort_key)


def test_features_in_a_bounding_box_are_lon_lat_with_filters(loaded):
    _, found = loaded
    everything = found.features()
    located = {f.iri: (f.lon, f.lat) for f in everything.features}
    assert located[ZEPHYR] == (2.2402, 48.7101)  # its own point
    assert located[ID + "organisation/ville-des-ulis"] == CENTROIDS[ID + "territory/commune-91692"]
    assert not any(f.kind in ("territory", "theme", "person") for f in everything.features)
    around_palaiseau = found.features((2.22, 48.70, 2.25, 48.72))
    assert [f.iri for f in around_palaiseau.features] == [ZEPHYR]
    assert found.features((2.22, 48.70, 2.25, 48.72), kinds=("event",)).features == ()
    food = found.features(themes=(THEME + "alimentation",))
    assert {f.iri for f in food.features} == {ZEPHYR, ID + "event/mois-de-la-relocalisation-alimentaire-a-massy"}
    capped = found.features(limit=2)
    assert len(capped.features) == 2 and capped.truncated and not everything.truncated


def test_refresh_after_changes_apply_add_edit_delete(loaded):
    store, found = loaded
    assert found.search("brocabulle").total == 0
    new = ox.NamedNode(ID + "organisation/brocabulle-des-tests")
    quads = [ox.Quad(new, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     ox.NamedNode(OSC + "Organisation"), graphs.CONTRIBUTIONS),
             ox.Quad(new, RDFS_LABEL, ox.Literal("Brocabulle des tests", language="fr"),
                     graphs.CONTRIBUTIONS),
             ox.Quad(new, ox.NamedNode(OSC + "commune"), ox.NamedNode(PALAISEAU), graphs.CONTRIBUTIONS)]
    changes.apply(store, changes.add_to_graph(graphs.CONTRIBUTIONS, quads), role="curator")
    results = found.search("brocabulle")
    assert [hit.iri for hit in results.hits] == [new.value]
    assert results.hits[0].commune_label == "Palaiseau"
    assert new.value in {f.iri for f in found.features((2.22, 48.70, 2.24, 48.72)).features}

    rename = changes.from_update(
        store, 'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> '
               f'DELETE {{ GRAPH <{graphs.CONTRIBUTIONS.value}> {{ <{new.value}> rdfs:label ?l }} }} '
               f'INSERT {{ GRAPH <{graphs.CONTRIBUTIONS.value}> {{ <{new.value}> rdfs:label "Troquabulle des tests"@fr }} }} '
               f'WHERE {{ GRAPH <{graphs.CONTRIBUTIONS.value}> {{ <{new.value}> rdfs:label ?l }} }}',
        readable=graphs.public(store.graphs()))
    changes.apply(store, rename, role="curator")
    assert found.search("brocabulle").total == 0
    assert labels(found.search("troquabulle")) == ["Troquabulle des tests"]

    gone = changes.from_update(
        store, f'DELETE WHERE {{ GRAPH <{graphs.CONTRIBUTIONS.value}> {{ <{new.value}> ?p ?o }} }}',
        readable=graphs.public(store.graphs()))
    changes.apply(store, gone, role="curator")
    assert found.search("troquabulle").total == 0
    assert new.value not in {f.iri for f in found.features().features}


def test_private_graphs_are_never_indexed(loaded):
    store, found = loaded
    secret = ox.NamedNode(ID + "organisation/cachee")
    private = [ox.Quad(secret, RDFS_LABEL, ox.Literal("Organisation cachée"), graphs.PRIVATE_CONTACTS),
               ox.Quad(secret, ox.NamedNode("http://www.w3.org/2003/01/geo/wgs84_pos#lat"),
                       ox.Literal("48.7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
                       graphs.PRIVATE_CONTACTS),
               ox.Quad(secret, ox.NamedNode("http://www.w3.org/2003/01/geo/wgs84_pos#long"),
                       ox.Literal("2.2", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
                       graphs.PRIVATE_CONTACTS),
               # a private alternative name of a public entity is not searchable either
               ox.Quad(ox.NamedNode(ZEPHYR), ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"),
                       ox.Literal("Nom secret"), graphs.PRIVATE_CONTACTS)]
    changes.apply(store, changes.add_to_graph(graphs.PRIVATE_CONTACTS, private), role="admin")
    found.rebuild()
    for text in ("cachee", "secret"):
        assert found.search(text).total == 0, text
    assert secret.value not in {f.iri for f in found.features().features}
    assert secret.value not in {h.iri for h in found.search("", size=100, page=1).hits}
    # An entity that moves from a public graph to a private one leaves the index.
    moved = [q for q in store.quads(ox.NamedNode(ATELIER), None, None, graphs.CONTRIBUTIONS)]
    move = changes.Change(moved, [ox.Quad(q.subject, q.predicate, q.object, graphs.PRIVATE_PROPOSALS)
                                  for q in moved], {graphs.CONTRIBUTIONS, graphs.PRIVATE_PROPOSALS})
    changes.apply(store, move, role="admin")
    assert found.search("atelier du vent").total == 0


def test_cli_load_refreshes_and_reindex_rebuilds(tmp_path):
    data = tmp_path / "kb"
    env = {"OSCARTES_DATA": None, "OSCARTES_SPARQL_URL": None}
    assert CliRunner().invoke(main, ["init", "--data", str(data), "--demo"], env=env).exit_code == 0
    from oscartes_kg.store import open_store
    with open_store(data=data) as store:
        assert catalogue.open_catalogue(store).search("zephyr").total == 0  # built now, lazily
    assert (data / catalogue.FILE).exists()
    loaded = CliRunner().invoke(main, ["load", "--data", str(data), str(DATA / "catalogue.trig")], env=env)
    assert loaded.exit_code == 0, loaded.output
    with open_store(data=data) as store:
        found = catalogue.open_catalogue(store)
        assert found._is_fresh(found._connection())  # the load refreshed it: no rebuild needed
        assert found.search("zephyr").total == 3
    (data / catalogue.FILE).unlink()
    reindexed = CliRunner().invoke(main, ["reindex", "--data", str(data)], env=env)
    assert reindexed.exit_code == 0 and "entités" in reindexed.stderr
    with open_store(data=data, read_only=True) as store:
        assert catalogue.open_catalogue(store).search("zephyr").total == 3


def test_cli_load_refreshes_on_a_remote_store(remote_store, oxigraph_server):
    bootstrap.init_store(remote_store, demo=True)
    found = catalogue.open_catalogue(remote_store)  # the default cache folder, as the CLI uses
    found.rebuild()
    assert found.search("zephyr").total == 0
    loaded = CliRunner().invoke(main, ["load", "--remote", f"{oxigraph_server}/query",
                                       str(DATA / "catalogue.trig")], env={"OSCARTES_DATA": None})
    assert loaded.exit_code == 0, loaded.output
    assert found.search("zephyr").total == 3


def test_missing_or_behind_the_data_stamp_is_built_again(embedded_store):
    bootstrap.init_store(embedded_store, demo=True)
    found = catalogue.open_catalogue(embedded_store)
    assert found.search("zephyr").total == 0
    ingest.load(embedded_store, [DATA / "catalogue.trig"])  # a load by other means: no refresh,
    dumps.stamp_change(embedded_store)                       # but the data stamp moves on
    assert found.search("zephyr").total == 3
    found.path.unlink()
    assert found.search("zephyr").total == 3


def test_a_remote_catalogue_is_built_again_when_too_old(remote_store, tmp_path):
    bootstrap.init_store(remote_store, demo=True)
    found = catalogue.open_catalogue(remote_store, cache_dir=tmp_path, max_age=3600)
    assert found.search("zephyr").total == 0
    remote_store.update(f'INSERT DATA {{ GRAPH <{graphs.CONTRIBUTIONS.value}> {{ <{ZEPHYR}> '
                        f'<{RDFS_LABEL.value}> "Zéphyr" }} }}')  # written behind our back
    assert found.search("zephyr").total == 0  # still fresh by age
    expired = catalogue.open_catalogue(remote_store, cache_dir=tmp_path, max_age=0)
    assert expired.search("zephyr").total == 1
