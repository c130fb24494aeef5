"""Matching (issue 7 §2): the ranking and the explanations pinned on a hand-built scenario
(tests/data/matching/scenario.trig: a need, offers that differ from the best in one factor each,
actors), on both backends."""
from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from oscartes_kg import bootstrap, matching
from oscartes_kg import matching_index as mi
from oscartes_kg.errors import NotFound

ID = "https://w3id.org/oscartes/id/"
SCENARIO = Path(__file__).parent / "data" / "matching" / "scenario.trig"
NEED = ID + "need/test-maraichage-massy"


def load_scenario(store) -> None:
    """The demo (territories, thesauri) and the scenario, written straight to the store."""
    bootstrap.init_store(store, demo=True)
    store.insert(list(ox.parse(path=str(SCENARIO), format=ox.RdfFormat.TRIG)))


@pytest.fixture
def scenario_store(any_store):
    load_scenario(any_store)
    return any_store


def test_matching_ranks_offers_for_a_need(scenario_store):
    found = matching.match(scenario_store, NEED)
    assert found.open and found.kind == "need"
    assert [m.iri.rsplit("/", 1)[1] for m in found.postings] == [
        "test-a-identique", "test-b-sans-fin-les-ulis", "test-c-juillet", "test-d-etampes",
        "test-e-plus-large", "test-f-sans-commune"]
    scores = [m.score for m in found.postings]
    assert scores == sorted(scores, reverse=True) and scores[0] == 1.0


def test_matching_explains_each_part(scenario_store):
    by_slug = {m.iri.rsplit("/", 1)[1]: m for m in matching.match(scenario_store, NEED).postings}
    assert by_slug["test-a-identique"].explanation("fr") == [
        "compétence identique : Maraîchage", "même commune : Massy",
        "périodes qui se recouvrent du 1er au 30 mai 2026"]
    assert by_slug["test-a-identique"].explanation("en") == [
        "same competence: Market gardening", "same commune: Massy",
        "periods overlap from 1 to 30 May 2026"]
    ulis = by_slug["test-b-sans-fin-les-ulis"]
    assert ulis.explanation("fr")[1] == "8,4 km (Massy → Les Ulis)"
    assert ulis.explanation("fr")[2] == "périodes qui se recouvrent du 1er au 30 mai 2026"  # open end
    assert by_slug["test-c-juillet"].explanation("fr")[2] == \
        "périodes disjointes (celle-ci : du 1er au 31 juillet 2026)"
    assert by_slug["test-c-juillet"].parts[2].value == 0.0
    assert by_slug["test-d-etampes"].explanation("fr")[1].endswith("km (Massy → Étampes)")
    assert by_slug["test-d-etampes"].explanation("fr")[2] == "périodes qui se recouvrent du 10 au 20 mai 2026"
    assert by_slug["test-e-plus-large"].explanation("fr")[0] == \
        "compétence plus large : Maraîchage et jardinage (pour Maraîchage, 1 niveau)"
    assert by_slug["test-e-plus-large"].parts[0].value == 0.5
    assert by_slug["test-f-sans-commune"].explanation("en")[1] == \
        "unknown distance (missing commune or coordinates)"
    # the score is the weighted sum of its parts
    for m in by_slug.values():
        assert m.score == pytest.approx(sum(p.value * p.weight for p in m.parts), abs=1e-3)


def test_matching_lists_actors_with_the_competence(scenario_store):
    actors = matching.match(scenario_store, NEED).holders
    assert [(m.iri.rsplit("/", 1)[1], m.kind) for m in actors] == [
        ("test-ferme-palaiseau", "organisation"), ("test-camille", "person"),
        ("test-jardiniers-massy", "organisation")]
    # own coordinates win over the commune's centre; actors have no period part
    assert actors[0].explanation("fr")[1].endswith("km (Massy → Palaiseau)")
    assert [p.name for p in actors[0].parts] == ["competence", "distance"]


def test_matching_the_reverse_an_offer_finds_needs(scenario_store):
    found = matching.match(scenario_store, ID + "offer/test-e-plus-large")
    assert found.kind == "offer" and found.holders == ()
    assert [m.iri for m in found.postings] == [NEED]
    assert found.postings[0].explanation("fr")[0] == \
        "compétence plus précise : Maraîchage (pour Maraîchage et jardinage, 1 niveau)"


def test_matching_a_fulfilled_posting_has_no_matches(scenario_store):
    found = matching.match(scenario_store, ID + "offer/test-y-pourvue")
    assert not found.open and found.postings == () and found.holders == ()


def test_matching_private_postings_are_unknown(scenario_store):
    with pytest.raises(NotFound):
        matching.match(scenario_store, ID + "offer/test-z-proposition")
    index = mi.index(scenario_store)
    every = {p.iri for lists in index.postings.values() for ps in lists.values() for p in ps}
    holders = {h.iri for hs in index.holders.values() for h in hs}
    assert ID + "offer/test-z-proposition" not in every
    assert ID + "organisation/test-privee" not in holders and ID + "person/test-dominique" not in holders


def test_matching_limit_keeps_the_best(scenario_store):
    found = matching.match(scenario_store, NEED, limit=2)
    assert [m.iri.rsplit("/", 1)[1] for m in found.postings] == ["test-a-identique", "test-b-sans-fin-les-ulis"]


def test_matching_json_has_parts_and_both_languages(scenario_store):
    data = matching.match(scenario_store, NEED).to_json()
    assert data["weights"] == {"competence": 0.5, "distance": 0.3, "period": 0.2}
    first = data["offers"][0]
    assert set(first["parts"]) == {"competence", "distance", "period"}
    assert first["parts"]["competence"]["fr"] == "compétence identique : Maraîchage"
    assert first["explanation"]["en"][0] == "same competence: Market gardening"
    assert data["actors"][1]["kind"] == "person"


def test_matching_index_follows_writes_and_slow_builds_go_to_the_background(embedded_store, monkeypatch):
    """A write (stamped by changes.apply) makes a new index: at once when builds are quick; when
    they are slow, pages keep the previous version until the background build lands."""
    from oscartes_kg import changes, graphs

    load_scenario(embedded_store)
    first = mi.index(embedded_store)
    assert mi.index(embedded_store) is first  # same data version: same index
    need = ox.NamedNode(ID + "need/test-maraichage-massy")
    status = ox.NamedNode("https://w3id.org/oscartes/ns#needOfferStatus")

    def set_status(old: str, new: str) -> None:
        quad = lambda value: ox.Quad(need, status, ox.NamedNode("https://w3id.org/oscartes/ns#" + value),  # noqa: E731
                                     ox.NamedNode(graphs.BASE + "test-matching"))
        changes.apply(embedded_store, changes.Change(removed=[quad(old)], added=[quad(new)]), role="admin",
                      author="https://w3id.org/oscartes/id/user/test", message="test", channel="api")

    set_status("open", "fulfilled")
    second = mi.index(embedded_store)
    assert second is not first and not second.postings[mi.NEED].get(ID + "competence/maraichage")
    monkeypatch.setattr(mi, "SYNC_BUILD_SECONDS", -1.0)  # every build now counts as slow
    set_status("fulfilled", "open")
    assert mi.index(embedded_store) is second  # the previous version answers meanwhile
    for _ in range(200):
        latest = mi.index(embedded_store)
        if latest is not second:
            break
        time.sleep(0.05)
    assert [p.iri for p in latest.postings[mi.NEED][ID + "competence/maraichage"]] == [str(need.value)]


def test_matching_tier_pruning_gives_the_same_page_as_scoring_everything():
    """Reading competence tiers in order and stopping early keeps exactly the best page: checked
    against scoring every candidate, on random postings over a two-level hierarchy."""
    import datetime as dt
    import random
    from collections import defaultdict

    rng = random.Random(11)
    thesaurus = mi.Thesaurus()
    for top in range(3):
        thesaurus.labels[f"t{top}"] = (f"T{top}", f"T{top}")
        for leaf in range(3):
            thesaurus.labels[f"t{top}-{leaf}"] = (f"L{top}{leaf}", f"L{top}{leaf}")
            thesaurus.broader[f"t{top}-{leaf}"].add(f"t{top}")
            thesaurus.narrower[f"t{top}"].add(f"t{top}-{leaf}")
    concepts = sorted(thesaurus.labels)

    def posting(i: int, cls: str) -> mi.Posting:
        start = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300))
        place = mi.Place(None, None, 48.3 + rng.random() / 2, 1.9 + rng.random() * 0.7)
        return mi.Posting(f"p{i:03}", cls, "", None, tuple(rng.sample(concepts, rng.randint(1, 2))),
                          place, start, start + dt.timedelta(days=rng.randrange(10, 90)), None)

    offers = [posting(i, mi.OFFER) for i in range(300)]
    lists = defaultdict(list)
    for offer in offers:
        for competence in offer.competences:
            lists[competence].append(offer)
    for n in range(20):
        need = posting(1000 + n, mi.NEED)
        scorer = lambda c: matching.score_posting(need, c, thesaurus)  # noqa: E731
        quick = matching._quick(need, matching._reach(need, thesaurus), True)
        page = matching._rank(need, matching._tiers(need, thesaurus), lists, quick, scorer,
                              matching.W_DISTANCE + matching.W_PERIOD, 10, set())
        every = [m for m in map(scorer, offers) if m is not None]
        every.sort(key=lambda m: (-m.score, m.km, m.iri))
        assert [m.iri for m in page] == [m.iri for m in every[:10]]
