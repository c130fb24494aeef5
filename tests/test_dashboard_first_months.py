"""The dashboard's month of first appearance per entity (read once per data version) agrees
with a SPARQL ``MIN`` over the history, and follows a write (issue 7 section 6, bench/RESULTS.md)."""
from __future__ import annotations

import pyoxigraph as ox

from oscartes_kg import bootstrap, changes, dashboard, graphs
from oscartes_kg.store import open_store, sparql_term

FIRST = f"""SELECT ?e (MIN(STR(?t)) AS ?first) WHERE {{ GRAPH {sparql_term(graphs.PRIVATE_HISTORY)} {{
  ?cs <https://w3id.org/oscartes/ns#changed> ?e ; <http://www.w3.org/ns/prov#endedAtTime> ?t }} }} GROUP BY ?e"""
EVENT = ox.NamedNode("https://w3id.org/oscartes/id/event/fete-test")


def by_sparql(store) -> dict[str, str]:
    return {row["e"].value: row["first"].value[:7] for row in store.query(FIRST)}


def test_first_months_match_the_history_and_follow_writes(tmp_path):
    with open_store(data=tmp_path / "kb") as store:
        bootstrap.init_store(store, demo=True)
        before = dashboard.first_months(store)
        assert before and before == by_sparql(store)
        assert dashboard.first_months(store) is before  # kept for the data version
        quads = [ox.Quad(EVENT, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                         ox.NamedNode("https://w3id.org/oscartes/ns#Event"), graphs.DEMO),
                 ox.Quad(EVENT, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                         ox.Literal("Fête test", language="fr"), graphs.DEMO),
                 ox.Quad(EVENT, ox.NamedNode("http://schema.org/startDate"),
                         ox.Literal("2031-01-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
                         graphs.DEMO)]
        changes.apply(store, changes.Change(added=quads, targets={graphs.DEMO}), role="curator", author="t")
        after = dashboard.first_months(store)
        assert after == by_sparql(store)
        assert EVENT.value in after and EVENT.value not in before


def test_evolution_from_month_bitsets_agrees_with_members_and_sparql(tmp_path):
    """Arrivals per month of what a territory or theme holds now, counted with the month
    bitsets, equal those counted entity by entity from the catalogue's facet rows and SPARQL."""
    from oscartes_kg import watch
    from oscartes_kg.catalogue import open_catalogue

    with open_store(data=tmp_path / "kb") as store:
        bootstrap.init_store(store, demo=True)
        found = open_catalogue(store)
        connection = watch.catalogue_connection(found)
        firsts = by_sparql(store)
        for field, term in (("commune", "https://w3id.org/oscartes/id/territory/departement-91"),
                            ("commune", "https://w3id.org/oscartes/id/territory/commune-91377"),
                            ("theme", "https://w3id.org/oscartes/id/theme/alimentation")):
            got = dashboard.evolution(store, connection, field, term, catalogue=found)
            present = dashboard.members(connection, term)
            assert present, term
            for name in dashboard.GROUPS:
                expected = [sum(1 for iri, group in present.items() if group == name
                                and iri in firsts and firsts[iri] <= month) for month in got.months]
                assert list(got.series[name]) == expected, (term, name)
            assert got == dashboard.evolution(store, connection, field, term)  # without the catalogue object
