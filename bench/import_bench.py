"""Importing 10,000 GoGoCarto elements, with validation, into a store holding the demo data.

Elements are generated, seeded, in the shape of the GoGoCarto sample (names, geo, address,
description, website, telephone, optionValues of the sample taxonomy). Each run starts from a
fresh copy of a demo store and times, in the same process:

- ``baseline``: ``ingest.load`` of the same entries written as N-Quads (the file-load path,
  validated too): what a write of that size costs without the importer;
- ``first``: the first import (all created);
- ``again``: the same file again (all unchanged: only the provenance is rewritten);
- ``changed``: a file where 10 % of the elements changed and 1 % disappeared.

Each phase is split into reading and mapping (``read``) and ``changes.apply`` (validation,
write, derived keys and search index). Prints a Markdown table of medians over ``--repeat``
runs, and each phase's ratio to the baseline. Duplicate detection (issue 6 section 2) runs in
every import (``importers.DUPLICATE_HOOKS``): its share is the ``detect`` column (part of
``read``); ``--no-detection`` takes the hook out, for comparison.

Usage::

    flock /tmp/bench.lock python bench/import_bench.py --elements 10000 --repeat 3
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oscartes_kg import bootstrap, changes, duplicates, importers, ingest  # noqa: E402,F401
from oscartes_kg.importers import core  # noqa: E402
from oscartes_kg.store import open_store  # noqa: E402

CATEGORIES = [10427, 10473, 10452, 10485, 10495, 10507, 10525, 10517, 10429, 10496]
WORDS = ("ruche jardin atelier épicerie ressourcerie café vélo habitat énergie marché coopérative "
         "monnaie école ferme librairie repair tiers-lieu AMAP compost friperie").split()
#: Whether imports run the duplicate-detection hook (``--no-detection`` turns it off).
DETECTION = True
TOWNS = [("Les Ulis", "91940"), ("Massy", "91300"), ("Orsay", "91400"), ("Angoulême", "16000"),
         ("Chenay", "79120"), ("Cognac", "16100"), ("Palaiseau", "91120")]


def generate(count: int, seed: int) -> list[dict]:
    """``count`` elements in the sample's shape, the same for the same seed."""
    rng = random.Random(seed)
    elements = []
    for number in range(count):
        town, postcode = rng.choice(TOWNS)
        name = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {number}"
        elements.append({
            "id": f"g{number:06d}", "status": 1, "name": name,
            "geo": {"latitude": round(rng.uniform(43.0, 49.5), 5),
                    "longitude": round(rng.uniform(-1.0, 5.0), 5)},
            "address": {"streetAddress": f"{rng.randint(1, 120)} rue des {rng.choice(WORDS)}s",
                        "addressLocality": town, "postalCode": postcode, "addressCountry": "FR"},
            "description": f"{name} : un lieu de la transition, ouvert à toutes et à tous.",
            "descriptionMore": rng.choice(["", "Ouvert le samedi.", "Adhésion à prix libre."]),
            "telephone": f"0{rng.randint(1, 9)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                         f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
            "website": f"https://exemple-{number}.example.org",
            "email": "hidden",
            "optionValues": rng.sample(CATEGORIES, rng.randint(1, 3)),
        })
    return elements


def changed(elements: list[dict], seed: int) -> list[dict]:
    """10 % renamed, 1 % gone."""
    rng = random.Random(seed + 1)
    result = [dict(e) for e in elements]
    for element in rng.sample(result, len(result) // 10):
        element["name"] = element["name"] + " (nouveau nom)"
    gone = set(e["id"] for e in rng.sample(result, len(result) // 100))
    return [e for e in result if e["id"] not in gone]


def timed_import(store, path: Path, timings: dict, phase: str) -> importers.Summary:
    """One import, with the time spent in changes.apply recorded apart."""
    spent = {"apply": 0.0, "detect": 0.0}
    original = changes.apply
    hooks = list(core.DUPLICATE_HOOKS)

    def timed(hook):
        def run(*args, **kwargs):
            start = time.perf_counter()
            try:
                return hook(*args, **kwargs)
            finally:
                spent["detect"] += time.perf_counter() - start
        return run

    def apply(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent["apply"] += time.perf_counter() - start

    core.changes.apply = apply
    core.DUPLICATE_HOOKS[:] = [timed(h) for h in hooks] if DETECTION else []
    try:
        start = time.perf_counter()
        summary = importers.import_source(store, "gogocarto", str(path), source_name="bench")
        total = time.perf_counter() - start
    finally:
        core.changes.apply = original
        core.DUPLICATE_HOOKS[:] = hooks
    timings.setdefault(phase, []).append((total, total - spent["apply"], spent["apply"],
                                          spent["detect"]))
    return summary


def baseline(store, elements_path: Path, work: Path, timings: dict) -> None:
    """The same entries through ``ingest.load`` (written as N-Quads by a dry mapping)."""
    from oscartes_kg.importers import gogocarto
    from oscartes_kg.importers.lookup import Lookups
    from oscartes_kg.importers.source import read_source
    mapped = gogocarto.read(read_source(str(elements_path)), gogocarto.default_mapping(),
                            lookups=Lookups(store), source_name="baseline")
    import pyoxigraph as ox
    from oscartes_kg import graphs
    quads = [ox.Quad(t.subject, t.predicate, t.object, graphs.import_graph("baseline"))
             for e in mapped.entries for t in e.triples]
    nq = work / "baseline.nq"
    with open(nq, "wb") as out:
        ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)
    start = time.perf_counter()
    ingest.load(store, [nq])
    total = time.perf_counter() - start
    timings.setdefault("baseline", []).append((total, 0.0, total, 0.0))


def run(count: int, seed: int, repeat: int) -> dict:
    timings: dict = {}
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        work = Path(tmp)
        elements = generate(count, seed)
        first = work / "elements.json"
        first.write_text(json.dumps({"data": elements}, ensure_ascii=False), encoding="utf-8")
        second = work / "elements-v2.json"
        second.write_text(json.dumps({"data": changed(elements, seed)}, ensure_ascii=False),
                          encoding="utf-8")
        template = work / "template"
        with open_store(data=template) as store:
            bootstrap.init_store(store, demo=True)
        for run_number in range(repeat):
            for label in ("baseline", "import"):
                target = work / f"kb-{run_number}-{label}"
                shutil.copytree(template, target)
                with open_store(data=target) as store:
                    if label == "baseline":
                        baseline(store, first, work, timings)
                        continue
                    summary = timed_import(store, first, timings, "first")
                    assert len(summary.created) == count, summary.to_text()[:2000]
                    summary = timed_import(store, first, timings, "again")
                    assert len(summary.unchanged) == count
                    summary = timed_import(store, second, timings, "changed")
                    assert len(summary.removed) == count // 100
                shutil.rmtree(target)
    return timings


def report(timings: dict, count: int) -> str:
    base = statistics.median(t[0] for t in timings["baseline"])
    lines = [f"| phase ({count} elements) | total (s) | read+map (s) | of which detect (s) | "
             "apply (s) | ratio to baseline |", "|---|---|---|---|---|---|"]
    for phase in ("baseline", "first", "again", "changed"):
        runs = timings[phase]
        total = statistics.median(t[0] for t in runs)
        lines.append(f"| {phase} | {total:.2f} | {statistics.median(t[1] for t in runs):.2f} | "
                     f"{statistics.median(t[3] for t in runs):.2f} | "
                     f"{statistics.median(t[2] for t in runs):.2f} | {total / base:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--elements", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-detection", action="store_true",
                        help="Leave duplicate detection out of the imports (for comparison).")
    args = parser.parse_args()
    global DETECTION
    DETECTION = not args.no_detection
    print(report(run(args.elements, args.seed, args.repeat), args.elements))


if __name__ == "__main__":
    main()
