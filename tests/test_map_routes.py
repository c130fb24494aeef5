"""/map and /api/map.geojson: RFC 7946 points in (longitude, latitude) order, bounding boxes,
filters, the cap, errors, private data, and the tile settings (test client, both backends)."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from app import create_app
from app.map import MAX_FEATURES
from oscartes_kg import bootstrap, graphs, ingest
from oscartes_kg.config import Settings
from oscartes_kg.resources import demo_files
from oscartes_kg.store import open_store

DATA = Path(__file__).parent / "data"
ID = "https://w3id.org/oscartes/id/"
ZEPHYR = ID + "organisation/zephyr-cooperative"
SECRET = ox.NamedNode(ID + "organisation/secret-map")
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"


def demo_graph() -> rdflib.Dataset:
    """The shipped demo data (every graph in one union)."""
    graph = rdflib.Dataset(default_union=True)
    for path in demo_files():
        graph.parse(path, format="trig")
    return graph


def demo_centroids() -> dict:
    """Commune IRI -> (lon, lat), read from the shipped demo territories themselves."""
    graph = demo_graph()
    lat, lon = rdflib.URIRef(GEO + "lat"), rdflib.URIRef(GEO + "long")
    return {str(s): (float(graph.value(s, lon)), float(o))
            for s, _, o in graph.triples((None, lat, None)) if "/commune-" in str(s)}


def demo_communes() -> dict:
    """Demo entity IRI -> its commune IRI (entities without points of their own)."""
    graph = demo_graph()
    commune = rdflib.URIRef("https://w3id.org/oscartes/ns#commune")
    return {str(s): str(o) for s, _, o in graph.triples((None, commune, None))}


@pytest.fixture(scope="module", params=["embedded", "remote"])
def site(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("map")
    if request.param == "embedded":
        location = {"data": folder / "kb"}
    else:
        location = {"remote_url": request.getfixturevalue("oxigraph_server") + "/query"}
    with open_store(**location) as store:
        if request.param == "remote":
            store.update("DROP ALL")
        bootstrap.init_store(store, demo=True)
        ingest.load(store, [DATA / "catalogue.trig"])
        decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
        store.insert([
            ox.Quad(SECRET, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                    ox.Literal("Lieu secret"), graphs.PRIVATE_CONTACTS),
            ox.Quad(SECRET, ox.NamedNode(GEO + "lat"), ox.Literal("48.71", datatype=decimal),
                    graphs.PRIVATE_CONTACTS),
            ox.Quad(SECRET, ox.NamedNode(GEO + "long"), ox.Literal("2.23", datatype=decimal),
                    graphs.PRIVATE_CONTACTS)])
    app = create_app(Settings(**location, catalogue_cache=str(folder / "cache"),
                              map_tile_url="https://tiles.example.org/{z}/{x}/{y}.png",
                              map_attribution='&copy; <a href="https://example.org/c">Exemple</a>'))
    yield app
    app.extensions["oscartes_runner"].shutdown()
    app.extensions["oscartes_store"].close()


@pytest.fixture
def client(site):
    return site.test_client()


def geojson(client, query: str = "") -> dict:
    answer = client.get("/api/map.geojson" + (f"?{query}" if query else ""))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "application/geo+json"
    return answer.get_json()


def test_points_are_longitude_then_latitude_at_the_demo_centroids(client):
    data = geojson(client)
    assert data["type"] == "FeatureCollection" and data["truncated"] is False
    points = {f["properties"]["iri"]: tuple(f["geometry"]["coordinates"]) for f in data["features"]}
    centroids, communes = demo_centroids(), demo_communes()
    placed = [iri for iri in communes if iri in points]
    assert len(placed) >= 4  # the demo's organisations and event located by their commune
    for iri in placed:
        assert points[iri] == centroids[communes[iri]], iri
    assert points[ZEPHYR] == (2.2402, 48.7101)
    for feature in data["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert 1.9 < lon < 2.6 and 48.2 < lat < 48.8  # Essonne: never swapped
        assert feature["geometry"]["type"] == "Point" and feature["type"] == "Feature"
        assert set(feature["properties"]) >= {"iri", "url", "label", "kind"}
        assert feature["properties"]["url"] == "/id/" + feature["properties"]["iri"][len(ID):]


def test_bbox_filters_points(client):
    everything = geojson(client)["features"]
    west, south, east, north = 2.20, 48.70, 2.25, 48.72
    inside = geojson(client, f"bbox={west},{south},{east},{north}")["features"]
    expected = {f["properties"]["iri"] for f in everything
                if west <= f["geometry"]["coordinates"][0] <= east
                and south <= f["geometry"]["coordinates"][1] <= north}
    assert {f["properties"]["iri"] for f in inside} == expected == {ZEPHYR}
    assert geojson(client, "bbox=-10,-10,-9,-9")["features"] == []
    assert len(geojson(client, "bbox=-500,-100,500,100")["features"]) == len(everything)  # clamped


def test_theme_and_kind_filters(client):
    food = geojson(client, f"theme={ID}theme/alimentation")["features"]
    assert {f["properties"]["iri"] for f in food} == {
        ZEPHYR, ID + "event/mois-de-la-relocalisation-alimentaire-a-massy"}
    events = geojson(client, "kind=event")["features"]
    assert events and {f["properties"]["kind"] for f in events} == {"event"}
    both = geojson(client, "kind=event&kind=organisation")["features"]
    assert {f["properties"]["kind"] for f in both} == {"event", "organisation"}


def test_bad_parameters_are_400(client):
    for query in ("bbox=1,2,3", "bbox=a,b,c,d", "bbox=3,48,2,49", "bbox=nan,1,2,3", "kind=person"):
        answer = client.get("/api/map.geojson?" + query)
        assert answer.status_code == 400, query
        assert answer.get_json()["ok"] is False and " / " in answer.get_json()["error"]


def test_private_points_are_never_shown(client):
    text = client.get("/api/map.geojson").get_data(as_text=True)
    assert SECRET.value not in text and "Lieu secret" not in text


def test_the_cap_is_sensible():
    assert 500 <= MAX_FEATURES <= 20000


def test_map_page_uses_vendored_leaflet_and_the_tile_settings(client):
    answer = client.get("/map", headers={"Accept": "text/html"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and '<html lang="fr">' in text
    for path in ("vendor/leaflet/leaflet.js", "vendor/leaflet.markercluster/leaflet.markercluster.js",
                 "vendor/leaflet/leaflet.css", "map/map.js"):
        assert f"/static/{path}" in text
        with client.get(f"/static/{path}") as served:
            assert served.status_code == 200
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in text
    assert "&amp;copy; &lt;a href=" in text  # the attribution, escaped into its attribute
    assert "Alimentation" in text and 'name="kind" value="event"' in text
    assert "<noscript>" in text
    english = client.get("/map?lang=en").get_data(as_text=True)
    assert "Map of actors, initiatives and events" in english and "All themes" in english


def test_small_map_macro(site):
    with site.test_request_context("/"):
        from flask import render_template_string
        site.preprocess_request()
        text = render_template_string(
            '{% from "map/_small.html" import small_map, small_map_head with context %}'
            '{{ small_map_head() }}{{ small_map(48.7101, 2.2402, "<Zéphyr>") }}')
    assert 'data-lat="48.7101"' in text and 'data-lon="2.2402"' in text
    assert 'data-label="&lt;Zéphyr&gt;"' in text and "map/small-map.js" in text
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in text
