"""CSV import through a column mapping: French spreadsheets (BOM, ``;``, decimal commas, dates
DD/MM/YYYY), errors naming the row and the column, and the templates the app offers."""
from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
from import_helpers import demo_store

from app import create_app
from oscartes_kg import graphs, importers
from oscartes_kg.config import Settings
from oscartes_kg.errors import ParseError
from oscartes_kg.importers.identity import entry_iri
from oscartes_kg.importers.mapping import shipped_path

HEADER = "Identifiant;Nom;Type;Description;Site web;Courriel;Téléphone;Thèmes;Commune;Latitude;Longitude;SIREN;RNA"
GRAPH = graphs.import_graph("tableur")
OSC = "https://w3id.org/oscartes/ns#"


@pytest.fixture
def store(tmp_path):
    with demo_store(tmp_path / "kb") as opened:
        yield opened


def write(tmp_path, lines, encoding="utf-8-sig", name="acteurs.csv"):
    path = tmp_path / name
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path


def values(store, key, prop):
    iri = ox.NamedNode(entry_iri("organisation", "tableur", key).value)
    return sorted(q.object.value for q in store.quads(iri, ox.NamedNode(prop), None, GRAPH))


def test_import_csv_reads_a_french_spreadsheet(store, tmp_path):
    path = write(tmp_path, [HEADER,
        "r1;Repair café des Ulis;Association;Un atelier de réparation ouvert à tous les habitants.;"
        "www.repair-ulis.example.org;contact@repair.example.org;01 02 03 04 05;reemploi| Réparation;"
        "91692;48,681;2,169;;W913000123"])
    summary = importers.import_source(store, "csv", str(path), source_name="tableur")
    assert len(summary.created) == 1 and not summary.rejected, summary.to_text()
    assert values(store, "r1", "http://schema.org/url") == ["http://www.repair-ulis.example.org"]
    assert values(store, "r1", OSC + "theme") == ["https://w3id.org/oscartes/id/theme/reemploi",
                                                 "https://w3id.org/oscartes/id/theme/reparation"]
    assert values(store, "r1", OSC + "commune") == ["https://w3id.org/oscartes/id/territory/commune-91692"]
    assert values(store, "r1", "http://www.w3.org/2003/01/geo/wgs84_pos#lat") == ["48.681"]
    assert values(store, "r1", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") == [OSC + "Association"]


def test_import_csv_errors_name_the_row_and_the_column(store, tmp_path):
    path = write(tmp_path, [HEADER,
        "ok;Atelier vélo solidaire;Association;;https://velo.example.org;;;velo;;;;;",
        "b1;Site cassé;Association;;ftp://site;;;;;;;;",
        "b2;Thème inconnu;Association;;;;;pas-un-theme;;;;;",
        "b3;Latitude fausse;Association;;;;;;;nord;2;;",
        "b4;SIREN faux;Association;;;;;;;;;12345;",
        ";Sans identifiant;Association;;;;;;;;;;",
        "ok;Doublon;Association;;;;;;;;;;"], encoding="cp1252")
    summary = importers.import_source(store, "csv", str(path), source_name="tableur")
    texts = {r.origin: r.to_text() for r in summary.rejected}
    assert texts["ligne 3"].startswith("ligne 3, colonne « Site web » : Le site web doit")
    assert texts["ligne 4"].startswith("ligne 4, colonne « Thèmes » : thème inconnu(e) « pas-un-theme »")
    assert texts["ligne 5"].startswith("ligne 5, colonne « Latitude » : « nord » n'est pas un nombre")
    assert texts["ligne 6"].startswith("ligne 6, colonne « SIREN » : Le numéro SIREN")
    assert texts["ligne 7"].startswith("ligne 7, colonne « Identifiant » : identifiant manquant")
    assert "identifiant en double (déjà ligne 2)" in texts["ligne 8"]
    assert summary.created == [entry_iri("organisation", "tableur", "ok").value]


def test_import_csv_with_commas_and_no_bom(store, tmp_path):
    path = write(tmp_path, ["Identifiant,Nom", "x1,Une association", "x2,Une autre"], encoding="utf-8")
    summary = importers.import_source(store, "csv", str(path), source_name="tableur")
    assert len(summary.created) == 2


def test_import_csv_refuses_a_header_without_the_id_column(store, tmp_path):
    path = write(tmp_path, ["Nom;Site web", "Une association;"])
    with pytest.raises(ParseError, match="Identifiant") as caught:
        importers.import_source(store, "csv", str(path), source_name="tableur")
    assert caught.value.line == 1


def test_import_csv_events_with_french_dates(store, tmp_path):
    path = write(tmp_path, ["Identifiant;Nom;Début;Fin;Organisateur",
        "e1;Fête des récoltes;12/09/2026;13/09/2026;https://w3id.org/oscartes/id/organisation/poles-noe",
        "e2;Sans date;;;"], name="agenda.csv")
    summary = importers.import_source(store, "csv", str(path), source_name="agenda",
                                      mapping=shipped_path("csv-event.yaml"))
    assert [r.origin for r in summary.rejected] == ["ligne 3"]
    assert "colonne « Début » : valeur obligatoire manquante" in summary.rejected[0].reason
    event = ox.NamedNode(entry_iri("event", "agenda", "e1").value)
    start = next(store.quads(event, ox.NamedNode("http://schema.org/startDate"), None, None)).object
    assert (start.value, start.datatype.value) == ("2026-09-12", "http://www.w3.org/2001/XMLSchema#date")


@pytest.mark.parametrize("kind", ["organisation", "event"])
def test_import_templates_fill_and_import_back(tmp_path, kind):
    demo_store(tmp_path / "kb").close()
    app = create_app(Settings(data=tmp_path / "kb"))
    try:
        client = app.test_client()
        page = client.get("/import/templates")
        assert page.status_code == 200 and f"/import/templates/{kind}.csv" in page.text
        answer = client.get(f"/import/templates/{kind}.csv")
        assert answer.status_code == 200 and answer.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:2] == ["Identifiant", "Nom"] and len(rows) == 2 and rows[1][1]
        mapping = client.get(f"/import/templates/{kind}.yaml")
        assert mapping.status_code == 200 and b"columns:" in mapping.data
        assert client.get("/import/templates/secret.csv").status_code == 404
        (tmp_path / "t.csv").write_bytes(answer.data)
        (tmp_path / "t.yaml").write_bytes(mapping.data)
        store = app.extensions["oscartes_store"]
        summary = importers.import_source(store, "csv", str(tmp_path / "t.csv"),
                                          mapping=tmp_path / "t.yaml", source_name="modele")
        assert len(summary.created) == 1 and not summary.rejected, summary.to_text()
    finally:
        app.extensions["oscartes_runner"].shutdown()
        app.extensions["oscartes_store"].close()
