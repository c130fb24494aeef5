"""Scoring a candidate against a query, and the rule that makes one candidate a match.

Each compared thing is a *feature* between 0 and 1 (returned to the client in ``features``, as
the reconciliation API 0.2 specifies): ``name`` (:func:`oscartes_kg.names.similarity`, the best
over the candidate's labels and alternative names) and one per property the query gives:
``commune`` (1 when the candidate lies in a territory the value names: the commune itself, or an
EPCI, département or région above it through ``osc:partOf``), ``website`` (1 same page, 0.5 same
host against a home page) and ``siren`` (1 same number). The score is their weighted mean, 0 to
100; a property the query does not give does not count.

Match rule: the best candidate is a match when its score is at least ``MATCH_SCORE`` and it leads
the next one by at least ``MATCH_LEAD`` points (one candidate clearly best, as OpenRefine expects
of ``match``, which it then accepts without asking).
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import names
from .candidates import Candidate

__all__ = ["WEIGHTS", "MATCH_SCORE", "MATCH_LEAD", "Scored", "score", "mark_match"]

WEIGHTS = {"name": 1.0, "commune": 0.4, "website": 0.6, "siren": 1.0}
MATCH_SCORE = 85.0
MATCH_LEAD = 10.0


@dataclass
class Scored:
    """A candidate with its score (0-100), features, and whether it is the match."""

    candidate: Candidate
    score: float
    features: dict
    match: bool = False


def score(candidate: Candidate, text: str, properties: dict, places: dict) -> Scored:
    """Score one candidate: ``properties`` maps a property id to the query's values, ``places``
    a commune value to the territories it names, and ``candidate.facts`` holds the
    candidate's websites and SIRENs (read from the public graphs)."""
    features = {}
    if text.strip():
        features["name"] = max((names.similarity(text, label) for label in candidate.labels),
                               default=0.0)
    for value in properties.get("commune", ()):
        named = places.get(value, frozenset())
        features["commune"] = max(features.get("commune", 0.0),
                                  1.0 if named & candidate.communes else 0.0)
    for value in properties.get("website", ()):
        best = max((names.same_site(value, w) for w in candidate.facts.get("website", ())), default=0.0)
        features["website"] = max(features.get("website", 0.0), best)
    for value in properties.get("siren", ()):
        wanted = names.siren(value)
        same = 1.0 if wanted and wanted in candidate.facts.get("siren", ()) else 0.0
        features["siren"] = max(features.get("siren", 0.0), same)
    weight = sum(WEIGHTS[f] for f in features)
    total = sum(WEIGHTS[f] * v for f, v in features.items())
    return Scored(candidate, round(100 * total / weight, 1) if weight else 0.0,
                  {f: round(v, 4) for f, v in features.items()})


def mark_match(ranked: list[Scored]) -> list[Scored]:
    """Set ``match`` on the first of ``ranked`` (best first) when it is clearly best.

    >>> from oscartes_kg.reconcile.candidates import Candidate
    >>> c = Candidate(1, "i", "organisation", "A", ("A",))
    >>> [s.match for s in mark_match([Scored(c, 95.0, {}), Scored(c, 80.0, {})])]
    [True, False]
    >>> [s.match for s in mark_match([Scored(c, 95.0, {}), Scored(c, 90.0, {})])]
    [False, False]
    """
    if ranked:
        lead = ranked[0].score - (ranked[1].score if len(ranked) > 1 else 0.0)
        ranked[0].match = ranked[0].score >= MATCH_SCORE and lead >= MATCH_LEAD
    return ranked
