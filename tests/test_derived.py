"""The derived month keys (oscartes_kg/derived.py): computed from the public graphs, kept in
step with writes, the same after a refresh as after a full rebuild, on both backends."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from oscartes_kg import derived, graphs
from oscartes_kg.bootstrap import init_store

OSC = "https://w3id.org/oscartes/ns#"
ID = "https://w3id.org/oscartes/id/"
EVENT = ox.NamedNode(ID + "event/test-fete")
CALL = ox.NamedNode(ID + "call/test-appel")
AGENDA_KEY = ox.NamedNode(OSC + "agendaKey")
DEADLINE_KEY = ox.NamedNode(OSC + "deadlineKey")
PUBLIC = ox.NamedNode(graphs.BASE + "test-derived")
PRIVATE = ox.NamedNode(graphs.PRIVATE_PREFIX + "test-derived")

DATA = """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <http://schema.org/> .
@prefix osc: <https://w3id.org/oscartes/ns#> .
@prefix oscid: <https://w3id.org/oscartes/id/> .
oscid:event\\/test-fete a osc:Event ;
    schema:startDate "2026-12-30"^^xsd:date ;
    schema:endDate "2027-01-02"^^xsd:date ;
    osc:theme oscid:theme\\/amap ;
    osc:commune oscid:territory\\/commune-91477 .
oscid:call\\/test-appel a osc:CallForProjects ;
    osc:deadline "2027-03-31"^^xsd:date ;
    osc:eligibleTheme oscid:theme\\/alimentation ;
    osc:eligibleTerritory oscid:territory\\/departement-91 .
"""


def quads(turtle: str, graph: ox.NamedNode) -> list[ox.Quad]:
    """Parse Turtle into quads of ``graph``."""
    return [ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE)]


def keys(store, subject: ox.NamedNode, predicate: ox.NamedNode) -> set[str]:
    """The key values of one entity in the derived graph."""
    return {q.object.value for q in store.quads(subject, predicate, None, graphs.DERIVED)}


@pytest.fixture
def kb(any_store):
    """Schema graphs (the thesauri give the theme hierarchy) and the two test entities."""
    init_store(any_store)
    any_store.insert(quads(DATA, PUBLIC))
    derived.refresh(any_store, [EVENT, CALL])
    return any_store


def test_derived_event_keys_every_month_with_theme_closure_and_commune(kb):
    """December 2026 (24323) and January 2027 (24324), alone, with AMAP and its broader
    themes, and with the commune."""
    found = keys(kb, EVENT, AGENDA_KEY)
    for month in ("24323", "24324"):
        assert {month, f"{month} {ID}theme/amap", f"{month} {ID}theme/alimentation",
                f"{month} {ID}territory/commune-91477"} <= found
    assert not any(k.startswith(("24322", "24325")) for k in found)


def test_derived_call_keys_deadline_month_with_broader_and_narrower_themes(kb):
    """A call gets its deadline month (March 2027 = 24326), its territory, its theme, and the
    narrower themes (AMAP under Alimentation) so that a narrower theme finds it."""
    found = keys(kb, CALL, DEADLINE_KEY)
    assert {"24326", f"24326 {ID}territory/departement-91", f"24326 {ID}theme/alimentation",
            f"24326 {ID}theme/amap"} <= found
    assert {k.split()[0] for k in found} == {"24326"}


def test_derived_refresh_follows_changes_and_deletions(kb):
    """A moved event gets the keys of its new date only; a deleted one gets none."""
    kb.update(f"DELETE WHERE {{ GRAPH <{PUBLIC.value}> {{ <{EVENT.value}> <http://schema.org/endDate> ?e }} }}")
    kb.update(f"DELETE WHERE {{ GRAPH <{PUBLIC.value}> {{ <{EVENT.value}> <http://schema.org/startDate> ?s }} }} ;"
              f'INSERT DATA {{ GRAPH <{PUBLIC.value}> {{ <{EVENT.value}> <http://schema.org/startDate>'
              ' "2027"^^<http://www.w3.org/2001/XMLSchema#gYear> } }')
    derived.refresh(kb, [EVENT])
    assert {k for k in keys(kb, EVENT, AGENDA_KEY) if " " not in k} == {
        str(2027 * 12 + m) for m in range(12)}
    kb.remove_graph(PUBLIC)
    derived.refresh(kb, [EVENT, CALL])
    assert keys(kb, EVENT, AGENDA_KEY) == set() and keys(kb, CALL, DEADLINE_KEY) == set()


def test_derived_private_entities_get_no_keys(kb):
    """Keys are public: an event in a private graph only is not indexed."""
    hidden = ox.NamedNode(ID + "event/test-cachee")
    kb.insert([ox.Quad(hidden, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                       ox.NamedNode(OSC + "Event"), PRIVATE),
               ox.Quad(hidden, ox.NamedNode("http://schema.org/startDate"),
                       ox.Literal("2026-12-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
                       PRIVATE)])
    derived.refresh(kb, [hidden])
    assert keys(kb, hidden, AGENDA_KEY) == set()


def test_derived_rebuild_gives_what_refresh_gave(kb):
    """A full rebuild writes exactly the keys the per-entity refresh wrote."""
    before = set(kb.quads(None, None, None, graphs.DERIVED))
    assert before
    derived.rebuild(kb)
    assert set(kb.quads(None, None, None, graphs.DERIVED)) == before


def test_derived_month_index_of_every_precision():
    """Dates of any precision give the month the keys use."""
    assert derived.month_index("2026-12-05T10:00:00+01:00") == 24323
    assert (derived.month_index("2027"), derived.month_index("2027", last=True)) == (24324, 24335)
    assert derived.month_index("2026-05") == 2026 * 12 + 4


def test_a_first_load_computes_the_keys_in_memory_as_a_rebuild_would(tmp_path):
    """A load into a store holding only the schema graphs writes the keys with the data (one
    bulk write): they are those a rebuild computes, and keys given in the input are not kept."""
    from oscartes_kg import ingest, resources
    from oscartes_kg.store import open_store

    fake = tmp_path / "fake-key.nq"
    fake.write_text(f'<{ID}event/x> <{OSC}agendaKey> "1" <{graphs.DERIVED.value}> .\n')
    demo = sorted(resources.demo_files())
    with open_store(data=tmp_path / "kb") as store:
        init_store(store)
        assert derived.add_to_first_load(store, ox.Store()) is True  # fresh: nothing stored yet
        ingest.load(store, [*demo, fake])
        loaded = sorted(map(str, store.quads(None, None, None, graphs.DERIVED)))
        derived.rebuild(store)
        assert loaded == sorted(map(str, store.quads(None, None, None, graphs.DERIVED)))
        assert loaded and '"1"' not in " ".join(loaded)
        assert derived.add_to_first_load(store, ox.Store()) is False  # data stored: refresh after
