"""``oscartes-kg gdpr export|erase`` (issue 5, section 5): a person's data is exported whole, and
after an erase nothing of it remains: not over SPARQL on every graph, and not as bytes in any
file under the data folder (store files, search index, dumps, history)."""
from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from app import create_app
from oscartes_kg import accounts, bootstrap, catalogue, dumps, gdpr, graphs, ingest
from oscartes_kg.cli import main
from oscartes_kg.config import Settings
from oscartes_kg.store import open_store

DATA = Path(__file__).parent / "data" / "gdpr" / "person.trig"
ID = "https://w3id.org/oscartes/id/"
PERSON = ID + "person/zephyrine-quatrebarbes-a1b2c3"
CONSENT = ID + "consent/zephyrine-quatrebarbes-a1b2c3"
OTHER = ID + "person/octave-survivant-d4e5f6"
NAME, EMAIL, PHONE = "Zéphyrine Quatrebarbes", "zephyrine@quatre-rgpd.example", "0612345678"
#: Strings that must not survive the erase anywhere: the IRI, the name (also in the consent
#: record's label and method), the e-mail (also the account's login), the telephone (short
#: enough to be stored inline in the store's keys), the street.
NEEDLES = ("zephyrine-quatrebarbes-a1b2c3", "Quatrebarbes", EMAIL, PHONE, "Secrets-Bien-Gard")
CLEAN_ENV = {"OSCARTES_DATA": None, "OSCARTES_SPARQL_URL": None, "OSCARTES_CATALOGUE_CACHE": None,
             "OSCARTES_DUMPS_CACHE": None}


@pytest.fixture
def kb(tmp_path) -> tuple[Path, str]:
    """A demo store with the two persons, an account acting for the first (its login is her
    e-mail), the search index built and the public dumps made: the person is everywhere."""
    data = tmp_path / "kb"
    with open_store(data=data) as store:
        bootstrap.init_store(store, demo=True)
        ingest.load(store, [DATA], message="two persons")
        account = accounts.create(store, EMAIL, "un mot de passe assez long", "contributor", NAME,
                                  acts_for=PERSON).iri
        catalogue.rebuild(store)
        cache = dumps.open_cache(store)
        for name in dumps.DUMPS:
            cache.dump(name)
        cache.statistics()
    return data, account


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env=CLEAN_ENV)


def files_holding(root: Path, needle: str) -> list[str]:
    """Every file under ``root`` whose bytes (gzip files: also once uncompressed) hold ``needle``."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        content = path.read_bytes()
        if path.suffix == ".gz":
            content += gzip.decompress(content)
        if needle.encode() in content:
            found.append(str(path.relative_to(root)))
    return found


def mentions(data: Path, *iris: str, literals: tuple = ()) -> list:
    """What SPARQL over every graph (an operator's view) still says about ``iris`` or with a
    literal holding one of ``literals``."""
    found = []
    with open_store(data=data, read_only=True) as store:
        for iri in iris:
            term = ox.NamedNode(iri)
            query = "SELECT ?x ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?s = ?x || ?o = ?x) }"
            found += list(store.query(query, substitutions={"x": term}))
        for text in literals:
            rows = store.query("SELECT ?text ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
                               "FILTER(isLiteral(?o) && CONTAINS(STR(?o), ?text)) }",
                               substitutions={"text": ox.Literal(text)})
            found += list(rows)
    return found


# --- the history module this rests on (engineer A) -------------------------------------------------

def test_history_module_provides_export_and_forget():
    from oscartes_kg import history  # fails here, clearly, while oscartes_kg.history is missing

    assert callable(history.export) and callable(history.forget)


# --- export ------------------------------------------------------------------------------------------

def test_export_json_ld_holds_everything_stored_about_the_person(kb):
    data, account = kb
    result = run("gdpr", "export", PERSON, "--data", data)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    header = document["@graph"][0]
    assert header["@id"] == gdpr.EXPORT_NODE.value
    comments = " ".join(c["@value"] for c in header["rdfs:comment"])
    assert "Export RGPD" in comments and "GDPR export" in comments
    assert "sans l'empreinte du mot de passe" in comments and "without the password hash" in comments
    assert header["dcterms:description"][0]["@value"]["label"] == NAME  # the search-index row
    history = header["dcterms:provenance"][0]["@value"]
    assert [c["channel"] for c in history] == ["load"] and EMAIL in history[0]["added_quads"]
    assert OTHER not in json.dumps(history)  # the load also wrote the other person: not shown

    dataset = rdflib.Dataset()
    dataset.parse(data=result.stdout, format="json-ld")
    quads = {(str(s), str(p), str(o), str(g)) for s, p, o, g in dataset.quads()}
    contributions, contacts = graphs.CONTRIBUTIONS.value, graphs.PRIVATE_CONTACTS.value
    rdfs_label = "http://www.w3.org/2000/01/rdf-schema#label"
    assert (PERSON, rdfs_label, NAME, contributions) in quads
    assert (PERSON, "http://schema.org/email", EMAIL, contacts) in quads
    assert (CONSENT, "https://w3id.org/oscartes/ns#consentScope",
            "nom, description et appartenance au collectif", contributions) in quads
    assert any(s == account and o == EMAIL for s, _, o, _ in quads)  # the account's login
    assert any(p == "http://schema.org/streetAddress" and "Secrets-Bien" in o for _, p, o, _ in quads)
    assert not any("passwordHash" in p for _, p, _, _ in quads)
    assert "$argon2" not in result.stdout
    assert OTHER not in result.stdout and "octave@survivant.example" not in result.stdout


def test_export_trig_and_nquads_hold_the_same_data_with_a_header(kb, tmp_path):
    data, _ = kb
    parsed = {}
    for name, fmt in (("trig", ox.RdfFormat.TRIG), ("nquads", ox.RdfFormat.N_QUADS)):
        target = tmp_path / f"export.{name}"
        result = run("gdpr", "export", PERSON, "--data", data, "--format", name, "-o", target)
        assert result.exit_code == 0, result.output
        text = target.read_text(encoding="utf-8")
        assert text.startswith("# Export RGPD") and "\n# GDPR export" in text
        parsed[name] = {q for q in ox.parse(path=target, format=fmt)
                        if not isinstance(q.graph_name, ox.DefaultGraph)}
    assert parsed["trig"] == parsed["nquads"]
    assert {q.graph_name.value for q in parsed["trig"]} == {
        graphs.CONTRIBUTIONS.value, graphs.PRIVATE_CONTACTS.value, graphs.PRIVATE_ACCOUNTS.value}


@pytest.mark.parametrize("command", ["export", "erase"])
def test_unknown_iri_exits_1_and_a_malformed_one_2(kb, command):
    data, _ = kb
    yes = ["--yes"] if command == "erase" else []
    unknown = run("gdpr", command, ID + "person/nobody", "--data", data, *yes)
    assert unknown.exit_code == 1
    assert "rien n'est enregistré sur" in unknown.stderr and "nothing is stored about" in unknown.stderr
    malformed = run("gdpr", command, "pas une IRI", "--data", data, *yes)
    assert malformed.exit_code == 2 and "IRI invalide" in malformed.stderr


# --- erase -----------------------------------------------------------------------------------------

def test_erase_leaves_nothing_in_any_graph_nor_in_any_file(kb):
    data, account = kb
    for needle in NEEDLES:  # the search below does find them before the erase
        assert files_holding(data, needle), needle
    assert mentions(data, PERSON, literals=(EMAIL,))

    beside = Path(sys.executable).with_name("oscartes-kg")
    entry_point = str(beside) if beside.exists() else shutil.which("oscartes-kg")
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    erased = subprocess.run([entry_point, "gdpr", "erase", PERSON, "--data", str(data), "--yes"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert erased.returncode == 0, erased.stderr
    assert "Effacé / erased: 25 quads, 1 compte(s)" in erased.stderr

    assert mentions(data, PERSON, CONSENT, account, literals=(NAME, "Quatrebarbes", EMAIL, PHONE,
                                                              "Secrets-Bien")) == []
    for needle in (*NEEDLES, account.rsplit("/", 1)[1]):
        assert files_holding(data, needle) == [], needle


def test_erase_keeps_the_others_and_records_a_changeset_naming_no_one(kb):
    data, account = kb
    result = run("gdpr", "erase", PERSON, "--data", data, "--yes")
    assert result.exit_code == 0, result.output
    with open_store(data=data, read_only=True) as store:
        assert accounts.get(store, EMAIL) is None  # the account acting for her is gone
        assert list(store.quads(ox.NamedNode(OTHER), None, None, None))  # the other person stays
        rows = list(store.query(
            "PREFIX osc: <https://w3id.org/oscartes/ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT ?cs ?comment WHERE { GRAPH ?g { ?cs osc:channel \"gdpr\" ; rdfs:comment ?comment } }",
            union_default_graph=True))
        assert [row["comment"].value for row in rows] == [gdpr.ERASE_MESSAGE]
        described = list(store.quads(rows[0]["cs"], None, None, None))
        assert not any(q.predicate.value.endswith("#changed") for q in described)
    app = create_app(Settings(data=data, read_only=True))
    try:
        client = app.test_client()
        assert client.get("/id/person/zephyrine-quatrebarbes-a1b2c3").status_code == 404
        assert client.get("/id/person/octave-survivant-d4e5f6").status_code == 200
        assert client.get("/search.json?q=Quatrebarbes").json["total"] == 0
        assert client.get("/search.json?q=Octave").json["total"] == 1
    finally:
        app.extensions["oscartes_runner"].shutdown()
        app.extensions["oscartes_store"].close()
    turtle = (data / "dumps" / "public.ttl").read_text(encoding="utf-8")
    assert "Octave Survivant" in turtle and "Quatrebarbes" not in turtle


def test_erase_asks_first_and_does_nothing_when_refused(kb):
    data, _ = kb
    refused = CliRunner().invoke(main, ["gdpr", "erase", PERSON, "--data", str(data)], input="n\n",
                                 env=CLEAN_ENV)
    assert refused.exit_code == 2 and "annulé" in refused.stderr
    assert mentions(data, PERSON)
