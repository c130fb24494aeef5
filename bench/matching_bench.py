"""Matching at scale (issue 7 §7): matching one need, median over many needs, on a store opened
read-only (e.g. the 100,000-organisation ``/tmp/bench-store``; never written).

Measured in one process:

- the index build (:func:`oscartes_kg.matching_index.build`): once per data version;
- ``matching.match`` for each sampled need, with the index built (the target: median < 100 ms);
- baseline: the named query ``needs_matching_offers`` for the same need (an unranked page of
  at most 100 pairs, no distance or period); and, for a few needs, the candidate offers looked
  up in SPARQL without the index (the need's related competences -> open offers with commune
  and dates: what ranking them all would need).

Run heavy sizes one at a time across agents::

    flock /tmp/bench.lock python bench/matching_bench.py --store /tmp/bench-store --needs 30 --repeat 3
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from oscartes_kg import matching, queries
from oscartes_kg import matching_index as mi
from oscartes_kg.store import open_store


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _timed(call) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


DIRECT = """PREFIX osc: <https://w3id.org/oscartes/ns#>
PREFIX schema: <http://schema.org/>
SELECT ?offer ?competence ?commune ?from ?through WHERE {
  VALUES ?competence { %s }
  ?offer osc:competence ?competence .
  ?offer a osc:Offer .
  LATERAL { OPTIONAL { ?offer osc:needOfferStatus ?status } }
  FILTER(!BOUND(?status) || ?status = osc:open)
  LATERAL { OPTIONAL { ?offer osc:commune ?commune } }
  LATERAL { OPTIONAL { ?offer schema:validFrom ?from } }
  LATERAL { OPTIONAL { ?offer schema:validThrough ?through } }
}"""


def _direct_candidates(store, need: mi.Posting, thesaurus) -> int:
    """What the index replaces: the open offers of the need's related competences in one SPARQL
    query (the bench's own text, on the union of graphs: the cheapest dataset)."""
    related = sorted({c for mine in need.competences for c in thesaurus.related(mine)})
    text = DIRECT % " ".join(f"<{c}>" for c in related)
    return len(list(store.query(text, union_default_graph=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="store folder (opened read-only)")
    parser.add_argument("--needs", type=int, default=30, help="needs sampled (with competences)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per need")
    parser.add_argument("--builds", type=int, default=2, help="index builds timed")
    parser.add_argument("--direct", type=int, default=3, help="needs timed with direct SPARQL lookups")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    store = open_store(data=args.store, read_only=True)
    builds = [_timed(lambda: mi.build(store)) for _ in range(args.builds)]
    index = mi.index(store)
    needs = sorted({p.iri for lists in index.postings[mi.NEED].values() for p in lists})
    sample = random.Random(args.seed).sample(needs, min(args.needs, len(needs)))
    counts = {"offers": 0, "actors": 0}
    runs, baseline = [], []
    for iri in sample:
        for _ in range(args.repeat):
            runs.append(_timed(lambda: matching.match(store, iri)))
            baseline.append(_timed(lambda: list(queries.get("needs_matching_offers").run(store, {"need": iri}))))
        found = matching.match(store, iri)
        counts["offers"] += len(found.postings)
        counts["actors"] += len(found.holders)
    direct = []
    for iri in sample[:args.direct]:
        need = mi.posting(store, iri)
        direct.append(_timed(lambda: _direct_candidates(store, need, index.thesaurus)))
    offers = sum(len(v) for v in index.postings[mi.OFFER].values())
    holders = sum(len(v) for v in index.holders.values())
    median, base = statistics.median(runs), statistics.median(baseline)
    print(f"store {args.store}: {len(needs)} open needs with competences, {offers} open offer-competence "
          f"pairs, {holders} holder-competence pairs; {len(sample)} needs x {args.repeat} runs\n")
    print("| measure | median | max | vs baseline |")
    print("|---|---|---|---|")
    print(f"| index build (once per data version) | {_ms(statistics.median(builds))} | {_ms(max(builds))} | |")
    print(f"| `matching.match` one need (ranked offers + actors, explained) | {_ms(median)} | "
          f"{_ms(max(runs))} | {median / base:.2f} |")
    print(f"| baseline: `needs_matching_offers` (need) | {_ms(base)} | {_ms(max(baseline))} | 1.00 |")
    if direct:
        print(f"| direct SPARQL: all candidate offers, no index ({len(direct)} needs) | "
              f"{_ms(statistics.median(direct))} | {_ms(max(direct))} | {statistics.median(direct) / base:.2f} |")
    print(f"\nAverage page: {counts['offers'] / len(sample):.1f} offers, {counts['actors'] / len(sample):.1f} actors. "
          f"Target median < 100 ms: {'met' if median < 0.1 else 'NOT met'}.")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
