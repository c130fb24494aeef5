"""Reconciliation batches at 100,000 organisations (issue 6 §5: 100 queries under 2 s).

Picks organisations of the catalogue at random (seeded) and writes 100 queries the way a partner's
spreadsheet would spell them: the exact label, the label folded to lower case without accents
with "Association" in front, the label with one letter dropped; a third of them with the
commune (by name, or by INSEE code), a fifth with the website the store holds. Then times, in one
process, on a copy of the bench store whose catalogue is built (``oscartes-kg reindex``):

- the batch through ``oscartes_kg.reconcile.Reconciler`` (the service's core);
- the batch as OpenRefine sends it, a form-encoded POST of ``queries=`` to ``/reconcile``
  through the Flask app (no socket);
- a baseline in the same process: 100 ``catalogue.search`` calls for the same names.

Reports medians over ``--repeat`` runs, the ratio to the baseline, and how often the picked
organisation came first and was marked ``match``::

    cp -a /tmp/bench-store /tmp/reconcile-store
    flock /tmp/bench.lock python -m oscartes_kg reindex --data /tmp/reconcile-store
    flock /tmp/bench.lock python bench/reconcile_bench.py --store /tmp/reconcile-store
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

import pyoxigraph as ox

from oscartes_kg import names
from oscartes_kg.catalogue import open_catalogue
from oscartes_kg.config import Settings
from oscartes_kg.reconcile import Reconciler
from oscartes_kg.store import open_store

ID = "https://w3id.org/oscartes/id/"
URL = ox.NamedNode("http://schema.org/url")
INSEE = ox.NamedNode("https://w3id.org/oscartes/ns#inseeCode")


def spellings(label: str, rng: random.Random) -> str:
    """One of the ways a spreadsheet spells a name."""
    choice = rng.randrange(3)
    if choice == 0:
        return label
    if choice == 1:
        return "Association " + names.fold(label)
    drop = rng.randrange(len(label))
    return label[:drop] + label[drop + 1:]


def batch(connection, store, rng: random.Random, size: int) -> tuple[dict, dict]:
    """``size`` queries and the organisation each one was written from."""
    rows = connection.execute("SELECT e.iri, e.label, e.commune, t.label FROM entity e "
                              "LEFT JOIN term t ON t.iri = e.commune "
                              "WHERE e.kind = 'organisation' ORDER BY e.id").fetchall()
    queries, expected = {}, {}
    for number, (iri, label, commune, commune_label) in enumerate(rng.sample(rows, size)):
        query = {"query": spellings(label, rng), "type": "organisation", "properties": []}
        if commune and number % 3 == 0:
            codes = [q.object.value for q in store.quads(ox.NamedNode(commune), INSEE, None, None)]
            value = codes[0] if codes and rng.random() < 0.5 else commune_label
            query["properties"].append({"pid": "commune", "v": value})
        if number % 5 == 0:
            sites = [q.object.value for q in store.quads(ox.NamedNode(iri), URL, None, None)]
            if sites:
                query["properties"].append({"pid": "website", "v": sites[0]})
        queries[f"q{number}"] = query
        expected[f"q{number}"] = iri[len(ID):]
    return queries, expected


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    from app import create_app

    app = create_app(Settings(data=args.store, read_only=True))
    store = app.extensions["oscartes_store"]
    catalogue = open_catalogue(store)
    connection = catalogue._reader()
    queries, expected = batch(connection, store, random.Random(args.seed), args.queries)
    service = Reconciler(store, connection, ID)
    service.reconcile({"warm": {"query": "association"}})
    core, answer = timed(lambda: Reconciler(store, connection, ID).reconcile(queries), args.repeat)
    client = app.test_client()
    body = {"queries": json.dumps(queries)}
    http, _ = timed(lambda: client.post("/reconcile", data=body).get_json(), args.repeat)
    baseline, _ = timed(lambda: [catalogue.search(q["query"], size=20) for q in queries.values()],
                        args.repeat)
    first = sum(1 for k, r in answer.items() if r["result"] and r["result"][0]["id"] == expected[k])
    matched = sum(1 for k, r in answer.items() if r["result"] and r["result"][0]["match"]
                  and r["result"][0]["id"] == expected[k])
    wrong = sum(1 for k, r in answer.items() if r["result"] and r["result"][0]["match"]
                and r["result"][0]["id"] != expected[k])
    organisations = connection.execute("SELECT count(*) FROM entity WHERE kind = 'organisation'").fetchone()[0]
    print(f"organisations in the catalogue: {organisations}; queries: {len(queries)} "
          f"({sum(1 for q in queries.values() if q['properties'])} with properties); repeat {args.repeat}")
    print(f"batch, Reconciler (core)        median {core * 1000:8.1f} ms")
    print(f"batch, POST /reconcile (Flask)  median {http * 1000:8.1f} ms")
    print(f"baseline, 100 catalogue.search  median {baseline * 1000:8.1f} ms  "
          f"(batch/baseline {core / baseline:.2f}x)")
    print(f"picked organisation first: {first}/{len(queries)}; first and match: {matched}; "
          f"match on another: {wrong}")
    app.extensions["oscartes_runner"].shutdown()


if __name__ == "__main__":
    main()
