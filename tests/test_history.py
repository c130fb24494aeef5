"""The write history (oscartes_kg.history): every write is a changeset, written with the change,
read back, diffed, reverted, exported and forgotten. Real stores on both backends."""
from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from oscartes_kg import bootstrap, changes, graphs, history, ingest
from oscartes_kg.errors import Forbidden, RejectedInput
from oscartes_kg.history.revert import RevertConflict
from oscartes_kg.store import open_store

ID = "https://w3id.org/oscartes/id/"
OSC = "https://w3id.org/oscartes/ns#"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ULIS = ox.NamedNode(ID + "organisation/ville-des-ulis")
PERSON = ox.NamedNode(ID + "person/alex-exemple-0a1b2c")
ACCOUNT = ID + "user/abc123"
DATA = Path(__file__).parent / "data" / "ingest"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def demo(any_store):
    bootstrap.init_store(any_store, demo=True)
    return any_store


def labels_of(store, node) -> set:
    return {q.object.value for q in store.quads(node, LABEL, None, None)}


def relabel(store, node, new: str, *, author=ACCOUNT, graph=graphs.DEMO, role="curator"):
    """Replace ``node``'s French label in ``graph`` through the one write path."""
    old = [q for q in store.quads(node, LABEL, None, graph)]
    change = changes.Change(removed=old, added=[ox.Quad(node, LABEL, ox.Literal(new, language="fr"), graph)],
                            targets={graph})
    return changes.apply(store, change, role=role, author=author, message=f"renommé en {new}",
                         channel="form")


def test_a_change_is_recorded_with_author_time_message_channel_and_delta(demo):
    before = labels_of(demo, ULIS)
    relabel(demo, ULIS, "Les Ulis (ville)")
    [latest, *older] = history.for_entity(demo, ULIS)
    assert (latest.author, latest.channel, latest.message) == (ACCOUNT, "form", "renommé en Les Ulis (ville)")
    assert (latest.added_count, latest.removed_count) == (1, len(before))
    assert older and older[-1].channel == "load"  # the demo load
    full = history.get(demo, latest.id)
    assert full.changed == (ULIS.value,) and full.graphs == (graphs.DEMO.value,)
    removed, added = history.delta(demo, full)
    assert {q.object.value for q in removed} == before
    assert [q.object.value for q in added] == ["Les Ulis (ville)"]
    assert full.time.startswith("20") and full.time.endswith("Z")


def test_prov_description_is_plain_rdf_in_the_one_history_graph(demo):
    graphs_before = set(demo.graphs())
    relabel(demo, ULIS, "Un")
    relabel(demo, ULIS, "Deux")
    assert set(demo.graphs()) - graphs_before <= {graphs.PRIVATE_HISTORY}  # never a graph each
    rows = list(demo.query(
        "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX osc: <https://w3id.org/oscartes/ns#> "
        f"SELECT ?cs WHERE {{ GRAPH <{graphs.PRIVATE_HISTORY.value}> {{ ?cs a osc:Changeset ; "
        f"osc:changed <{ULIS.value}> ; prov:wasAssociatedWith <{ACCOUNT}> ; "
        "prov:endedAtTime ?time } }"))
    assert len(rows) == 2


def test_refused_writes_record_nothing(demo):
    before = demo.count(graphs.PRIVATE_HISTORY)
    with pytest.raises(RejectedInput):  # an organisation must keep a label
        changes.apply(demo, changes.Change(removed=list(demo.quads(ULIS, LABEL, None, None)),
                                           targets={graphs.DEMO}), role="curator", author=ACCOUNT)
    with pytest.raises(Forbidden):
        relabel(demo, ULIS, "x", role="contributor")
    assert demo.count(graphs.PRIVATE_HISTORY) == before


def test_the_history_graph_cannot_be_written_or_dropped_through_a_change(demo):
    before = demo.count(graphs.PRIVATE_HISTORY)
    for change in (changes.drop_graph(demo, graphs.PRIVATE_HISTORY),
                   changes.add_to_graph(graphs.PRIVATE_HISTORY, [ox.Quad(ULIS, LABEL, ox.Literal("x"))])):
        with pytest.raises(Forbidden, match="history"):
            changes.apply(demo, change, role="admin")
    assert demo.count(graphs.PRIVATE_HISTORY) == before


def test_a_change_to_nothing_records_nothing(demo):
    before = demo.count(graphs.PRIVATE_HISTORY)
    existing = next(iter(demo.quads(ULIS, LABEL, None, graphs.DEMO)))
    changes.apply(demo, changes.add_to_graph(graphs.DEMO, [existing]), role="curator")
    assert demo.count(graphs.PRIVATE_HISTORY) == before


def test_a_load_is_recorded_with_its_files_and_author(any_store):
    bootstrap.init_store(any_store)
    ingest.load(any_store, [DATA / "atelier-velo.ttl"], author="cli")
    [changeset] = history.for_entity(any_store, ID + "organisation/atelier-velo-exemple")
    assert (changeset.channel, changeset.message) == ("load", "atelier-velo.ttl")
    assert changeset.author == ID + "agent/cli"
    removed, added = history.delta(any_store, history.get(any_store, changeset.id))
    assert removed == [] and set(added) == set(any_store.quads(graph=graphs.CONTRIBUTIONS))


def test_a_refused_load_records_nothing(embedded_store):
    bootstrap.init_store(embedded_store)
    with pytest.raises(RejectedInput):
        ingest.load(embedded_store, [DATA / "organisation-siren-bad.ttl"])
    assert embedded_store.count(graphs.PRIVATE_HISTORY) == 0
    assert not any((embedded_store.path / "history").glob("*"))


def test_a_big_load_keeps_its_delta_in_a_compressed_file(tmp_path):
    source = tmp_path / "orgs.nq"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--organisations", "60",
                    "--seed", "1", "-o", str(source)], check=True, capture_output=True)
    with open_store(data=tmp_path / "kb") as store:
        bootstrap.init_store(store)
        result = ingest.load(store, [source], author="cli")
        assert result.quads > history.INLINE_LIMIT
        [changeset] = history.recent(store)
        full = history.get(store, changeset.id)
        assert full.delta_text == (None, None) and full.delta_files[0].endswith(".added.nq.gz")
        with gzip.open(store.path / full.delta_files[0]) as packed:
            on_disk = set(ox.parse(packed, ox.RdfFormat.N_QUADS))
        loaded = {q for g in full.graphs for q in store.quads(graph=ox.NamedNode(g))}
        assert len(loaded) == len(set(ox.parse(path=str(source), format=ox.RdfFormat.N_QUADS)))
        assert on_disk == loaded  # the data only: no stored context, no changeset
        assert full.added_count == len(loaded)
        assert set(history.delta(store, full)[1]) == loaded
        assert len(full.changed) > 60  # organisations and what comes with them


def test_a_full_dump_loaded_back_is_a_restore_with_its_own_history(embedded_store, tmp_path):
    bootstrap.init_store(embedded_store, demo=True)
    relabel(embedded_store, ULIS, "Les Ulis")
    dumped = tmp_path / "all.nq"
    with open(dumped, "wb") as out:
        embedded_store.dump(out, ox.RdfFormat.N_QUADS)
    with open_store(data=tmp_path / "copy") as copy:
        bootstrap.init_store(copy)
        ingest.load(copy, [dumped])
        assert [c.id for c in history.recent(copy)] == [c.id for c in history.recent(embedded_store)]


def test_diff_between_two_versions_nets_out(demo):
    original = labels_of(demo, ULIS)
    relabel(demo, ULIS, "Un")
    relabel(demo, ULIS, "Deux")
    relabel(demo, ULIS, "Un")
    load, first, second, third = [c.id for c in reversed(history.for_entity(demo, ULIS))]
    d = history.diff(demo, ULIS, first, third)
    assert d.added == () and d.removed == () and len(d.changesets) == 2  # back to "Un"
    d = history.diff(demo, ULIS, second, first)  # either order
    assert [q.object.value for q in d.added] == ["Deux"] and [q.object.value for q in d.removed] == ["Un"]
    d = history.diff(demo, ULIS, load, None)
    assert {q.object.value for q in d.removed} == original and [q.object.value for q in d.added] == ["Un"]


def test_revert_is_a_changeset_and_restores_the_quads(demo):
    original = labels_of(demo, ULIS)
    relabel(demo, ULIS, "Faute de frappe")
    target = history.for_entity(demo, ULIS)[0].id
    history.revert(demo, target, role="curator", author=ACCOUNT)
    assert labels_of(demo, ULIS) == original
    latest = history.for_entity(demo, ULIS)[0]
    assert (latest.channel, latest.reverts, latest.author) == ("revert", target, ACCOUNT)
    with pytest.raises(RevertConflict, match=f"déjà annulé par {latest.id}"):
        history.revert(demo, target, role="curator", author=ACCOUNT)
    history.revert(demo, latest.id, role="curator", author=ACCOUNT)  # a revert reverts too
    assert labels_of(demo, ULIS) == {"Faute de frappe"}


def test_revert_is_refused_when_later_changesets_changed_the_same_quads(demo):
    relabel(demo, ULIS, "Un")
    first = history.for_entity(demo, ULIS)[0].id
    relabel(demo, ULIS, "Deux")
    second = history.for_entity(demo, ULIS)[0].id
    before = set(demo.quads())
    with pytest.raises(RevertConflict, match=second):
        history.revert(demo, first, role="curator", author=ACCOUNT)
    assert set(demo.quads()) == before
    with pytest.raises(Forbidden):
        history.revert(demo, second, role="contributor", author=ACCOUNT)


def test_a_revert_that_would_break_a_shape_is_refused_with_the_report(demo):
    label = next(iter(demo.quads(ULIS, LABEL, None, graphs.DEMO)))
    # a second label first, so that removing the original one is valid...
    changes.apply(demo, changes.add_to_graph(graphs.DEMO, [ox.Quad(ULIS, LABEL, ox.Literal("Ulis"), graphs.DEMO)]),
                  role="curator", author=ACCOUNT)
    added_second = history.for_entity(demo, ULIS)[0].id
    changes.apply(demo, changes.Change(removed=[label], targets={graphs.DEMO}), role="curator", author=ACCOUNT)
    # ...then undoing the second label would leave the organisation without any
    before = set(demo.quads())
    with pytest.raises(RejectedInput) as refused:
        history.revert(demo, added_second, role="curator", author=ACCOUNT)
    assert refused.value.report is not None and not refused.value.report.conforms
    assert set(demo.quads()) == before


def test_export_and_forget_remove_every_trace_of_a_person(embedded_store):
    bootstrap.init_store(embedded_store, demo=True)
    contact = graphs.PRIVATE_CONTACTS
    blank = ox.BlankNode()
    email = ox.NamedNode("http://schema.org/email")
    address = ox.NamedNode("http://schema.org/address")
    street = ox.NamedNode("http://schema.org/streetAddress")
    person_quads = [ox.Quad(PERSON, email, ox.Literal("alex@example.org"), contact),
                    ox.Quad(PERSON, address, blank, contact),
                    ox.Quad(blank, street, ox.Literal("1 rue Exemple"), contact)]
    changes.apply(embedded_store, changes.Change(added=person_quads, targets={contact}),
                  role="admin", author=ACCOUNT, channel="form")
    member = ox.Quad(ULIS, ox.NamedNode("http://schema.org/member"), PERSON, graphs.DEMO)
    changes.apply(embedded_store, changes.add_to_graph(graphs.DEMO, [member]), role="admin",
                  author=PERSON.value, channel="api")
    exported = history.export(embedded_store, PERSON)
    assert len(exported) == 2
    assert "alex@example.org" in exported[0]["added_quads"] + exported[1]["added_quads"]
    forgotten = history.forget(embedded_store, PERSON)
    assert len(forgotten.changesets) == 2 and forgotten.delta_quads == 4 and forgotten.links >= 2
    assert history.export(embedded_store, PERSON) == []
    text = next(embedded_store.query(
        "SELECT (GROUP_CONCAT(CONCAT(STR(?s), STR(?p), STR(?o)); separator=' ') AS ?all) "
        f"WHERE {{ GRAPH <{graphs.PRIVATE_HISTORY.value}> {{ ?s ?p ?o }} }}"))["all"].value
    assert PERSON.value not in text and "alex@example.org" not in text and "1 rue Exemple" not in text
    assert ULIS.value in text  # the rest of the history stays


def test_an_erasure_keeps_no_delta_and_cannot_be_reverted(demo):
    quad = ox.Quad(PERSON, ox.NamedNode("http://schema.org/email"), ox.Literal("a@example.org"),
                   graphs.PRIVATE_CONTACTS)
    changes.apply(demo, changes.Change(added=[quad], targets={graphs.PRIVATE_CONTACTS}), role="admin")
    changes.apply(demo, changes.Change(removed=[quad], targets={graphs.PRIVATE_CONTACTS}), role="admin",
                  channel="gdpr", message="effacement RGPD")
    erasure = history.recent(demo, 1)[0]
    full = history.get(demo, erasure.id)
    assert (full.channel, full.removed_count, full.changed, full.delta_text) == ("gdpr", 1, (), (None, None))
    with pytest.raises(Forbidden, match="effacement"):
        history.revert(demo, erasure.id, role="admin")
