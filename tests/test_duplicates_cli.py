"""``oscartes-kg duplicates detect|list|decide`` on a store on disk (the scenario's two imports)."""
from __future__ import annotations

import json

import pyoxigraph as ox
from click.testing import CliRunner
from duplicates_scenario import EXPECTED, a, b, import_both, pair
from import_helpers import demo_store

from oscartes_kg.cli import main
from oscartes_kg.duplicates import IDENTITY, proposals


def test_detect_list_and_decide(tmp_path):
    data = tmp_path / "kb"
    with demo_store(data) as store:
        import_both(store, tmp_path)
        proposals.replace_all(store, [])
    runner = CliRunner()
    result = runner.invoke(main, ["duplicates", "detect", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert f"{len(EXPECTED)} doublons probables" in result.output
    result = runner.invoke(main, ["duplicates", "list", "--data", str(data), "--format", "json"])
    listed = json.loads(result.output)
    assert listed["total"] == len(EXPECTED)
    assert {(p["a"], p["b"]) for p in listed["proposals"]} == set(EXPECTED)
    text = runner.invoke(main, ["duplicates", "list", "--data", str(data), "--lang", "en"]).output
    assert "same website (poles-noe.example.org)" in text
    result = runner.invoke(main, ["duplicates", "decide", "link", a("a1"), b("b1"), "--data", str(data)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["duplicates", "decide", "merge", a("a1"), "https://w3id.org/oscartes/id/organisation/poles-noe",
                                  "--data", str(data)])
    assert result.exit_code == 2 and "link them instead" in result.output
    with demo_store(data) as store:
        assert list(store.quads(ox.NamedNode(a("a1")), None, ox.NamedNode(b("b1")), IDENTITY))
        assert pair(a("a1"), b("b1")) not in {(p.a, p.b) for p in proposals.page(store)[0]}
