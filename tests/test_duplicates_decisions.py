"""Curators' decisions about duplicates (issue 6 §2): link, merge, distinct, written through
``changes.apply`` into the public identity graph, and respected by the next import."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from duplicates_scenario import (CARTE_A, EXPECTED, ID, a, b, element, import_both, pair,
                                 write_carte_a, write_tableur)
from import_helpers import demo_store

from oscartes_kg import duplicates, graphs, history, importers
from oscartes_kg.duplicates import IDENTITY, proposals
from oscartes_kg.errors import Forbidden, NotFound, UsageError

SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
DIFFERENT = ox.NamedNode("http://www.w3.org/2002/07/owl#differentFrom")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
URL = ox.NamedNode("http://schema.org/url")
LAT = ox.NamedNode("http://www.w3.org/2003/01/geo/wgs84_pos#lat")
CARTE_A_GRAPH = graphs.import_graph("carte-a")
N = ox.NamedNode


@pytest.fixture
def store(tmp_path):
    with demo_store(tmp_path / "kb") as opened:
        import_both(opened, tmp_path)
        yield opened


def pairs(store) -> set:
    return {(p.a, p.b) for p in proposals.page(store, limit=1000)[0]}


def reimport_carte_a(store, tmp_path, elements=None):
    return importers.import_source(store, "gogocarto", str(write_carte_a(tmp_path, elements)),
                                   source_name="carte-a")


def test_link_writes_same_as_to_the_public_identity_graph_and_stays(store, tmp_path):
    duplicates.decide(store, "link", a("a1"), b("b1"), role="curator", author="urn:test:cura")
    assert list(store.quads(N(a("a1")), SAME_AS, N(b("b1")), IDENTITY))
    assert graphs.is_public(IDENTITY)
    assert pair(a("a1"), b("b1")) not in pairs(store)
    latest = history.recent(store, 1)[0]
    assert latest.channel == "dedup" and latest.author == "urn:test:cura"
    summary = reimport_carte_a(store, tmp_path)
    assert len(summary.unchanged) == len(CARTE_A)
    assert list(store.quads(N(a("a1")), SAME_AS, N(b("b1")), IDENTITY))
    assert pair(a("a1"), b("b1")) not in pairs(store)          # still linked, not proposed
    assert pair(ID + "poles-noe", a("a1")) in pairs(store)     # the undecided pair stays


def test_distinct_is_never_proposed_again(store, tmp_path):
    duplicates.decide(store, "distinct", ID + "poles-noe", a("a1"), role="admin")
    assert list(store.quads(N(ID + "poles-noe"), DIFFERENT, N(a("a1")), IDENTITY))
    renamed = [dict(e, description=e["description"] + " Modifiée.") for e in CARTE_A]
    summary = reimport_carte_a(store, tmp_path, renamed)
    assert len(summary.updated) == len(CARTE_A)
    assert pair(ID + "poles-noe", a("a1")) not in pairs(store)
    duplicates.detect_all(store)
    assert pair(ID + "poles-noe", a("a1")) not in pairs(store)
    assert pairs(store) == set(EXPECTED) - {pair(ID + "poles-noe", a("a1"))}


def test_merge_folds_the_import_into_ours_and_a_reimport_updates_it(store, tmp_path):
    ours, theirs = N(ID + "poles-noe"), N(a("a1"))
    duplicates.decide(store, "merge", ours.value, theirs.value, role="curator")
    assert not list(store.quads(theirs, None, None, CARTE_A_GRAPH))        # re-pointed
    assert [q.object.value for q in store.quads(ours, URL, None, CARTE_A_GRAPH)] == \
        ["https://poles-noe.example.org"]
    assert not list(store.quads(ours, ALT, None, CARTE_A_GRAPH))   # "Pôles NOÉ": the same name
    assert [q.object.value for q in store.quads(ours, LABEL, None, None)] == ["PôleS NOE"]
    assert list(store.quads(ours, SAME_AS, theirs, IDENTITY))
    assert duplicates.merged_into(store, theirs) == ours
    assert pair(ours.value, theirs.value) not in pairs(store)

    summary = reimport_carte_a(store, tmp_path)          # the same file: nothing to do
    assert summary.unchanged.count(ours.value) == 1 and not summary.created
    changed = [dict(e, website="https://poles-noe.example.org/accueil") if e["id"] == "a1" else e
               for e in CARTE_A]
    summary = reimport_carte_a(store, tmp_path, changed)
    assert summary.updated == [ours.value] and not summary.created
    assert [q.object.value for q in store.quads(ours, URL, None, CARTE_A_GRAPH)] == \
        ["https://poles-noe.example.org/accueil"]
    assert not list(store.quads(theirs, None, None, CARTE_A_GRAPH))        # not re-created
    assert not {p for p in pairs(store) if theirs.value in p}


def test_merge_keeps_our_coordinates(store, tmp_path):
    ours = N(b("b2"))   # a spreadsheet entry with coordinates: the map's own are dropped
    duplicates.decide(store, "merge", ours.value, a("a2"), role="curator")
    assert sorted(q.object.value for q in store.quads(ours, LAT, None, None)) == ["48.6905"]
    summary = reimport_carte_a(store, tmp_path)
    assert ours.value in summary.unchanged


def test_merge_refuses_an_entry_that_is_not_imported(store):
    with pytest.raises(UsageError, match="link them instead"):
        duplicates.decide(store, "merge", a("a1"), ID + "poles-noe", role="curator")


def test_decisions_need_a_curator_and_existing_entries(store):
    before = set(store.quads())
    with pytest.raises(Forbidden):
        duplicates.decide(store, "link", a("a1"), b("b1"), role="contributor")
    with pytest.raises(NotFound):
        duplicates.decide(store, "link", a("a1"), ID + "nobody-here", role="curator")
    with pytest.raises(UsageError):
        duplicates.decide(store, "erase", a("a1"), b("b1"), role="curator")
    assert set(store.quads()) == before


def test_a_source_entry_dropped_after_a_merge_leaves_ours_intact(store, tmp_path):
    ours = N(ID + "poles-noe")
    duplicates.decide(store, "merge", ours.value, a("a1"), role="curator")
    summary = reimport_carte_a(store, tmp_path, [e for e in CARTE_A if e["id"] != "a1"]
                               + [element("a9", "Nouvelle entrée de test")])
    assert summary.removed == [ours.value]
    assert not list(store.quads(ours, None, None, CARTE_A_GRAPH))
    assert [q.object.value for q in store.quads(ours, LABEL, None, None)] == ["PôleS NOE"]


def test_merged_tableur_is_untouched_by_carte_a(store, tmp_path):
    duplicates.decide(store, "merge", b("b1"), a("a1"), role="curator")
    second = importers.import_source(store, "csv", str(write_tableur(tmp_path)), source_name="tableur")
    assert b("b1") in second.unchanged


def test_proposals_about_an_entry_gone_since_are_forgotten(store, tmp_path):
    from oscartes_kg.duplicates import waiting
    reimport_carte_a(store, tmp_path, [e for e in CARTE_A if e["id"] != "a2"])
    stale = pair(a("a2"), b("b2"))
    assert stale in pairs(store)      # detection after an import only looks at what it imports
    found, total = waiting(store, limit=1000)
    assert stale not in {(p.a, p.b) for p in found} and total == len(found)
    assert stale not in pairs(store)
