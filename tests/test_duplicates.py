"""Duplicate detection (issue 6 §2): the pinned scenario of ``duplicates_scenario``, detection
after each import and over the whole store, and the scoring's reasons."""
from __future__ import annotations

import pytest
from duplicates_scenario import EXPECTED, NEAR_MISSES, a, b, import_both, pair
from import_helpers import demo_store

from oscartes_kg import duplicates
from oscartes_kg.duplicates import Profile, compare, proposals


@pytest.fixture
def store(tmp_path):
    with demo_store(tmp_path / "kb") as opened:
        yield opened


def found_pairs(store) -> dict:
    rows, total = proposals.page(store, limit=1000)
    assert total == len(rows)
    return {(p.a, p.b): p for p in rows}


def test_detection_after_import_finds_the_pinned_pairs_and_not_the_near_misses(store, tmp_path):
    import_both(store, tmp_path)
    found = found_pairs(store)
    assert set(found) == set(EXPECTED)
    for key, codes in EXPECTED.items():
        assert {r.code for r in found[key].reasons} >= codes, (key, found[key].reasons)
        assert found[key].score >= duplicates.THRESHOLD
    assert not set(found) & set(NEAR_MISSES)


def test_reasons_are_french_and_english(store, tmp_path):
    import_both(store, tmp_path)
    found = found_pairs(store)[pair(a("a2"), b("b2"))]
    texts = {r.code: (r.fr, r.en) for r in found.reasons}
    assert texts["email"] == ("même domaine de courriel (ressourcerie-plateau.example.fr)",
                              "same e-mail domain (ressourcerie-plateau.example.fr)")
    assert texts["distance"][0].startswith("à ") and texts["distance"][1].endswith(" m apart")


def test_detect_all_finds_the_same_pairs_as_the_import_hooks(store, tmp_path):
    import_both(store, tmp_path)
    after_imports = found_pairs(store)
    proposals.replace_all(store, [])
    result = duplicates.detect_all(store)
    assert set(found_pairs(store)) == set(after_imports) == set(EXPECTED)
    assert result.proposals == len(EXPECTED) and result.compared > len(EXPECTED)


def test_entries_of_one_source_are_not_duplicates_of_each_other(store, tmp_path):
    from duplicates_scenario import element, write_carte_a

    from oscartes_kg import importers
    twins = [element("t1", "Atelier Vélo Libre", lat=48.7, lon=2.2),
             element("t2", "Atelier vélo libre", lat=48.7, lon=2.2)]
    importers.import_source(store, "gogocarto", str(write_carte_a(tmp_path, twins)),
                            source_name="carte-a")
    assert found_pairs(store) == {}


def test_score_combines_signals_and_distance_argues_against():
    near = Profile("x", "organisation", ("Repair Café",), lat=48.73, lon=2.27)
    far = Profile("y", "organisation", ("Repair Café",), lat=45.65, lon=0.16)
    close = Profile("z", "organisation", ("Repair café",), lat=48.7305, lon=2.2702)
    assert compare(near, far)[0] < duplicates.THRESHOLD
    assert compare(near, close)[0] > compare(near, Profile("w", "organisation", ("Repair Café",)))[0]
    same_rna = compare(Profile("p", "organisation", ("Les Amis du Vélo",), rnas=frozenset({"W913000123"})),
                       Profile("q", "organisation", ("Vélo en ville",), rnas=frozenset({"W913000123"})))
    assert same_rna[0] >= duplicates.THRESHOLD and [r.code for r in same_rna[1]] == ["rna"]


def test_webmail_domains_are_not_a_reason():
    x = Profile("x", "organisation", ("Amap du Lac",), domains=frozenset())
    assert duplicates.signals.email_domain("amap@hotmail.fr") is None
    assert duplicates.signals.email_domain("amap@orange.fr") is None
    assert duplicates.signals.email_domain("contact@amap-du-lac.fr") == "amap-du-lac.fr"
    assert compare(x, Profile("y", "organisation", ("Zéro Déchet",)))[1] == []
