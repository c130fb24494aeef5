"""Exports of the public actors (GeoJSON, CSV, schema.org JSON-LD, GoGoCarto, Murmurations), on
the command's core and over HTTP: public graphs only, and what we export imports back."""
from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
import requests
from import_helpers import GOGO, demo_store

from app import create_app
from oscartes_kg import exporters, graphs, importers
from oscartes_kg.config import Settings
from oscartes_kg.importers.identity import entry_iri

SECRET_ORG = "https://w3id.org/oscartes/id/organisation/secret-proposal"
SECRET_MAIL = "tres-secret@example.org"
RUCHE = entry_iri("organisation", "sample", "10kw").value


@pytest.fixture
def store(tmp_path):
    """Demo data, the GoGoCarto sample, and private markers: an unpublished organisation in
    the proposals graph and a private e-mail on a public one."""
    with demo_store(tmp_path / "kb") as opened:
        importers.import_source(opened, "gogocarto", str(GOGO), source_name="sample")
        org = ox.NamedNode(SECRET_ORG)
        opened.insert([
            ox.Quad(org, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                    ox.NamedNode("https://w3id.org/oscartes/ns#Organisation"), graphs.PRIVATE_PROPOSALS),
            ox.Quad(org, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                    ox.Literal("Projet secret"), graphs.PRIVATE_PROPOSALS),
            ox.Quad(ox.NamedNode(RUCHE), ox.NamedNode("http://schema.org/email"),
                    ox.Literal(SECRET_MAIL), graphs.PRIVATE_CONTACTS)])
        yield opened


def test_export_geojson_is_rfc7946_with_longitude_first(store):
    collection = json.loads(exporters.export(store, "geojson"))
    assert collection["type"] == "FeatureCollection"
    ruche = next(f for f in collection["features"] if f["id"] == RUCHE)
    assert ruche["geometry"] == {"type": "Point", "coordinates": [-0.0339, 46.3252]}
    assert ruche["properties"]["name"] == "La Ruche de Chenay"
    assert ruche["properties"]["themes"] == ["Alimentation"]
    unlocated = [f for f in collection["features"] if f["geometry"] is None]
    assert unlocated and all(set(f) == {"type", "id", "geometry", "properties"} for f in unlocated)


@pytest.mark.parametrize("format_name", sorted(exporters.FORMATS))
def test_export_never_shows_a_private_marker(store, format_name):
    body = exporters.export(store, format_name).decode("utf-8-sig")
    assert "La Ruche de Chenay" in body
    assert SECRET_ORG not in body and "Projet secret" not in body and SECRET_MAIL not in body


def test_export_gogocarto_imports_back_with_the_same_entries(store, tmp_path):
    exported = tmp_path / "export.json"
    exported.write_bytes(exporters.export(store, "gogocarto"))
    before = {a.label: a for a in exporters.public_actors(store)}
    with demo_store(tmp_path / "other") as other:
        summary = importers.import_source(other, "gogocarto", str(exported), source_name="oscartes")
        assert not summary.rejected and not summary.unmapped
        imported = [a for a in exporters.public_actors(other) if "/oscartes-" in a.iri]
    assert len(imported) == len(before)
    for actor in imported:
        original = before[actor.label]
        assert (actor.description, actor.url, actor.telephone, actor.lat, actor.long,
                actor.themes, actor.commune) == (original.description, original.url,
                                                 original.telephone, original.lat, original.long,
                                                 original.themes, original.commune)


def test_export_csv_uses_the_template_columns_and_imports_back(store, tmp_path):
    body = exporters.export(store, "csv")
    assert body.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    ruche = next(r for r in rows if r["Nom"] == "La Ruche de Chenay")
    assert (ruche["Thèmes"], ruche["Latitude"], ruche["Longitude"]) == ("alimentation", "46.3252", "-0.0339")
    exported = tmp_path / "export.csv"
    exported.write_bytes(body)
    with demo_store(tmp_path / "other") as other:
        summary = importers.import_source(other, "csv", str(exported), source_name="oscartes")
    assert not summary.rejected and len(summary.created) == len(rows)


def test_export_jsonld_is_schema_org_and_parses_offline(store):
    document = json.loads(exporters.export(store, "jsonld"))
    assert document["@context"] == "https://schema.org/"
    ruche = next(n for n in document["@graph"] if n["@id"] == RUCHE)
    assert ruche["@type"] == "Organization" and ruche["geo"]["latitude"] == 46.3252
    assert ruche["address"]["addressLocality"] == "Chenay"


def test_export_murmurations_profiles_follow_the_organisations_schema(store):
    profiles = json.loads(exporters.export(store, "murmurations"))
    ruche = next(p for p in profiles if p["name"] == "La Ruche de Chenay")
    assert ruche["linked_schemas"] == ["organizations_schema-v1.0.0"]
    assert ruche["geolocation"] == {"lat": 46.3252, "lon": -0.0339}
    assert ruche["primary_url"].startswith("https://laruchequiditoui.fr/")
    assert all(isinstance(p["name"], str) and p["name"] for p in profiles)


def test_export_routes_serve_every_format_over_http(store, tmp_path, live_server):
    store.close()
    app = create_app(Settings(data=tmp_path / "kb"))
    url = live_server(app)
    try:
        for name, (media_type, _extension) in exporters.FORMATS.items():
            answer = requests.get(f"{url}/export/{name}", timeout=30)
            assert answer.status_code == 200
            assert answer.headers["Content-Type"].startswith(media_type.split(";")[0])
            assert "La Ruche de Chenay" in answer.text
            assert SECRET_MAIL not in answer.text and "Projet secret" not in answer.text
        assert requests.get(f"{url}/export/shapefile", timeout=30).status_code == 404
    finally:
        app.extensions["oscartes_runner"].shutdown()
        app.extensions["oscartes_store"].close()
