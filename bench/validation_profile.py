"""Profile full validation at 100k: per-check times, plus a baseline scan."""
import sys, time, statistics
from pathlib import Path
from oscartes_kg.store import open_store
from oscartes_kg.validation import validator
from oscartes_kg.validation import engine
from oscartes_kg import graphs as g

store = open_store(data=Path('/tmp/bench-store'), read_only=True)
v = validator()
mode = sys.argv[1] if len(sys.argv) > 1 else "profile"
def baseline():
    t = time.perf_counter()
    list(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", union_default_graph=True))
    return time.perf_counter() - t
if mode == "profile":
    b = baseline()
    public = g.public(g.data_graphs(list(store.graphs())))
    run = engine.runner(store, public)
    present = {row[0].value for row in run(engine.PRESENT_CLASSES, False)}
    times = []
    todo = [i for i, c in enumerate(v.checks) if (public or not c.public_only) and c.classes & present]
    t = time.perf_counter()
    w = engine.widened(store, v.checks, todo, public, list(store.graphs())) if hasattr(engine, "widened") else set()
    print(f"probe {time.perf_counter()-t:.3f}s widened {len(w)}")
    for i in todo:
        c = v.checks[i]
        t = time.perf_counter(); n = len(list(run(c.sparql, c.public_only and i not in w))); d = time.perf_counter() - t
        times.append((d, i, n, c.sparql))
    times.sort(reverse=True)
    print(f"baseline {b:.2f}s total checks {sum(t[0] for t in times):.1f}s n={len(times)}")
    for d, i, n, s in times[:int(sys.argv[2]) if len(sys.argv) > 2 else 15]:
        print(f"{d:6.2f}s #{i} rows={n} {s[:400]}")
else:
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    res = []
    for r in range(runs):
        b = baseline()
        t = time.perf_counter(); rep = v.validate(store); d = time.perf_counter() - t
        res.append((d, b)); print(f"run {r}: validate {d:.1f}s baseline {b:.2f}s ratio {d/b:.1f} ({len(rep.errors)} errors, {len(rep.warnings)} warnings)", flush=True)
    md = statistics.median(x[0] for x in res); mb = statistics.median(x[1] for x in res)
    print(f"median validate {md:.1f}s, median baseline {mb:.2f}s, ratio {md/mb:.1f}")
