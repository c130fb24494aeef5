"""Matching needs and offers: for a need, the open offers ranked by score (and the reverse),
plus the actors that declare a fitting competence; every score comes with its explanation.

The score of a candidate for a subject (a need or an offer) is::

    score = W_COMPETENCE * c + W_DISTANCE * d + W_PERIOD * p          (between 0 and 1)

- ``c``, the competence part: ``1 / 2 ** steps`` for the best pair of competences, where
  ``steps`` is the distance in ``skos:broader`` steps between them (0: the same competence, 1: a
  broader or narrower one, ...). Candidates share at least a related competence (siblings and
  unrelated competences do not match).
- ``d``, the distance part: ``1 / (1 + km / DISTANCE_HALF_KM)``, with ``km`` the haversine
  distance between the two places (an entity's own ``geo:lat``/``geo:long`` when it has them,
  else its commune's centre); 0 when either place is unknown.
- ``p``, the period part: 1 when the periods (``schema:validFrom``/``validThrough``) overlap, an
  open end overlapping everything, else 0.

Actors (organisations, and persons with consent) are ranked by the first two parts only:
``W_COMPETENCE * c + W_DISTANCE * d``. Ties go to the nearer candidate, then by IRI.

Candidates come from the index (:mod:`oscartes_kg.matching_index`) by competence, never from
all offers; tiers of ``steps`` are read in order and reading stops when no candidate of the
next tier could enter the page (its best possible score is below the page's last one).
"""
from __future__ import annotations

import heapq
from dataclasses import asdict, dataclass, replace

from . import matching_index as mi
from .dates_text import period_text, range_text
from .errors import NotFound

__all__ = ["W_COMPETENCE", "W_DISTANCE", "W_PERIOD", "DISTANCE_HALF_KM", "Part", "Match", "Matches",
           "match", "score_posting"]

#: Weight of the competence part (the most telling one).
W_COMPETENCE = 0.5
#: Weight of the distance part.
W_DISTANCE = 0.3
#: Weight of the period part.
W_PERIOD = 0.2
#: At this distance the distance part is one half.
DISTANCE_HALF_KM = 10.0
#: Candidates of each list returned by default.
LIMIT = 20


@dataclass(frozen=True)
class Part:
    """One part of a score: its value (0-1), its weight, and why, in French and English."""

    name: str  # competence, distance, period
    value: float
    weight: float
    fr: str
    en: str


@dataclass(frozen=True)
class Match:
    """A ranked candidate."""

    iri: str
    kind: str  # need, offer, organisation, person
    label: str
    score: float
    parts: tuple[Part, ...]
    km: float | None

    def explanation(self, lang: str = "fr") -> list[str]:
        return [part.en if lang == "en" else part.fr for part in self.parts]


@dataclass(frozen=True)
class Matches:
    """The subject's matches: postings of the other kind, then actors."""

    subject: str
    kind: str
    open: bool
    postings: tuple[Match, ...]
    holders: tuple[Match, ...]

    def to_json(self) -> dict:
        def one(m: Match) -> dict:
            data = asdict(m)
            data["score"], data["km"] = round(m.score, 4), None if m.km is None else round(m.km, 2)
            data["parts"] = {p["name"]: {k: (round(v, 4) if k == "value" else v) for k, v in p.items()
                                         if k != "name"} for p in data["parts"]}
            data["explanation"] = {"fr": m.explanation("fr"), "en": m.explanation("en")}
            return data
        other = "offers" if self.kind == "need" else "needs"
        return {"subject": self.subject, "kind": self.kind, "open": self.open,
                "weights": {"competence": W_COMPETENCE, "distance": W_DISTANCE, "period": W_PERIOD},
                other: [one(m) for m in self.postings], "actors": [one(m) for m in self.holders]}


def competence_part(subject: tuple[str, ...], candidate: tuple[str, ...], thesaurus) -> Part | None:
    """The best pair of related competences, or None when none is related."""
    best = None
    for mine in subject:
        related = thesaurus.related(mine)
        for theirs in candidate:
            if theirs in related and (best is None or abs(related[theirs]) < abs(best[2])):
                best = (mine, theirs, related[theirs])
    if best is None:
        return None
    mine, theirs, steps = best
    name = lambda iri, lang: thesaurus.label(iri, lang)  # noqa: E731
    if steps == 0:
        fr, en = f"compétence identique : {name(theirs, 'fr')}", f"same competence: {name(theirs, 'en')}"
    else:
        levels = abs(steps)
        fr_side, en_side = ("plus précise", "narrower") if steps > 0 else ("plus large", "broader")
        fr = (f"compétence {fr_side} : {name(theirs, 'fr')} (pour {name(mine, 'fr')}, "
              f"{levels} niveau{'x' if levels > 1 else ''})")
        en = f"{en_side} competence: {name(theirs, 'en')} (for {name(mine, 'en')}, {levels} level{'s' if levels > 1 else ''})"
    return Part("competence", 1 / 2 ** abs(steps), W_COMPETENCE, fr, en)


def distance_part(here: mi.Place, there: mi.Place) -> tuple[Part, float | None]:
    """The distance part and the distance in km (None when a place is unknown)."""
    if not (here.known and there.known):
        return Part("distance", 0.0, W_DISTANCE, "distance inconnue (commune ou coordonnées manquantes)",
                    "unknown distance (missing commune or coordinates)"), None
    km = mi.haversine_km(here, there)
    value = 1 / (1 + km / DISTANCE_HALF_KM)
    shown = f"{km:.0f}" if km >= 10 else f"{km:.1f}"
    if here.commune and here.commune == there.commune:
        # a form places an entry at its commune's centre: say "same commune", not "0 km"
        name = here.commune_label or here.commune.rsplit("/", 1)[-1]
        far = f" ({shown} km)" if km >= 0.1 else ""
        return Part("distance", value, W_DISTANCE, f"même commune : {name}{far.replace('.', ',')}",
                    f"same commune: {name}{far}"), km
    names = ""
    if here.commune_label and there.commune_label:
        names = f" ({here.commune_label} → {there.commune_label})"
    return Part("distance", value, W_DISTANCE, f"{shown.replace('.', ',')} km{names}", f"{shown} km{names}"), km


def period_part(a: mi.Posting, b: mi.Posting) -> Part:
    """Whether the periods overlap, with the common span in words."""
    start = max((d for d in (a.start, b.start) if d), default=None)
    end = min((d for d in (a.end, b.end) if d), default=None)
    if start and end and start > end:
        fr, en = period_text(b.start, b.end)
        return Part("period", 0.0, W_PERIOD, f"périodes disjointes (celle-ci : {fr})",
                    f"periods do not overlap (this one: {en})")
    fr, en = range_text(start, end)
    return Part("period", 1.0, W_PERIOD, f"périodes qui se recouvrent {fr}", f"periods overlap {en}")


def score_posting(subject: mi.Posting, candidate: mi.Posting, thesaurus) -> Match | None:
    """The candidate's score and explanation, or None when no competence relates them."""
    competence = competence_part(subject.competences, candidate.competences, thesaurus)
    if competence is None:
        return None
    distance, km = distance_part(subject.place, candidate.place)
    parts = (competence, distance, period_part(subject, candidate))
    return Match(candidate.iri, candidate.kind, candidate.label, _total(parts), parts, km)


def score_holder(subject: mi.Posting, holder: mi.Holder, thesaurus) -> Match | None:
    """An actor's score: competence and distance parts only."""
    competence = competence_part(subject.competences, holder.competences, thesaurus)
    if competence is None:
        return None
    distance, km = distance_part(subject.place, holder.place)
    kind = "person" if holder.person else "organisation"
    return Match(holder.iri, kind, holder.label, _total((competence, distance)), (competence, distance), km)


def _total(parts) -> float:
    """The weighted sum, in the same order of operations as :func:`_quick`."""
    total = 0.0
    for part in parts:
        total += part.value * part.weight
    return total


def _reach(subject: mi.Posting, thesaurus) -> dict[str, int]:
    """Each competence related to the subject's, with its fewest steps."""
    reach: dict[str, int] = {}
    for mine in subject.competences:
        for iri, steps in thesaurus.related(mine).items():
            reach[iri] = min(abs(steps), reach.get(iri, abs(steps)))
    return reach


def _tiers(subject: mi.Posting, thesaurus) -> list[tuple[int, set[str]]]:
    """The competences related to the subject's, grouped by steps (0, 1, 2...)."""
    tiers: dict[int, set[str]] = {}
    for iri, steps in _reach(subject, thesaurus).items():
        tiers.setdefault(steps, set()).add(iri)
    return sorted(tiers.items())


def _overlap(a: mi.Posting, b: mi.Posting) -> bool:
    start = max((d for d in (a.start, b.start) if d), default=None)
    end = min((d for d in (a.end, b.end) if d), default=None)
    return not (start and end and start > end)


def _quick(subject: mi.Posting, reach: dict[str, int], with_period: bool):
    """The score and km of a candidate, as the full scorers compute them, without building the
    explanations (thousands of candidates are scored, twenty are shown)."""
    here = subject.place

    def score(candidate):
        steps = min((reach[c] for c in candidate.competences if c in reach), default=None)
        if steps is None:
            return None
        total, km = 0.0, None
        total += (1 / 2 ** steps) * W_COMPETENCE
        if here.known and candidate.place.known:
            km = mi.haversine_km(here, candidate.place)
            total += (1 / (1 + km / DISTANCE_HALF_KM)) * W_DISTANCE
        else:
            total += 0.0 * W_DISTANCE
        if with_period:
            total += (1.0 if _overlap(subject, candidate) else 0.0) * W_PERIOD
        return total, km
    return score


def _rank(subject, tiers, lists, quick, full, best_rest: float, limit: int, skip: set[str]) -> tuple[Match, ...]:
    """The ``limit`` best candidates (score, then nearer, then IRI), reading tier after tier
    while a candidate of the next tier could still enter the page; only those are explained."""
    keys: list[tuple] = []  # (-score, km, iri)
    by_iri = {}
    seen = set(skip)
    for steps, competences in tiers:
        if len(keys) >= limit and -heapq.nsmallest(limit, keys)[-1][0] > W_COMPETENCE / 2 ** steps + best_rest:
            break
        for competence in sorted(competences):
            for candidate in lists.get(competence, ()):
                if candidate.iri in seen:
                    continue
                seen.add(candidate.iri)
                found = quick(candidate)
                if found is not None:
                    keys.append((-found[0], found[1] if found[1] is not None else 1e9, candidate.iri))
                    by_iri[candidate.iri] = candidate
    return tuple(full(by_iri[iri]) for _, _, iri in heapq.nsmallest(limit, keys))


def match(store, iri: str, *, limit: int = LIMIT) -> Matches:
    """The ranked matches of the need or offer ``iri`` (public graphs only).

    A fulfilled posting has no matches (``open`` is False). Needs get actors as well.

    :raises NotFound: ``iri`` is not a published need or offer.
    """
    subject = mi.posting(store, iri)
    if subject is None:
        raise NotFound(f"aucun besoin ni offre publié : {iri} / no published need or offer",
                       entity=iri, rule="matching")
    if subject.status not in (mi.OPEN, None):  # no status: open (the form does not ask)
        return Matches(iri, subject.kind, False, (), ())
    index = mi.index(store)
    thesaurus, tiers = index.thesaurus, _tiers(subject, index.thesaurus)
    reach = _reach(subject, thesaurus)
    other = mi.OFFER if subject.cls == mi.NEED else mi.NEED
    postings = _rank(subject, tiers, index.postings[other], _quick(subject, reach, True),
                     lambda c: score_posting(subject, c, thesaurus), W_DISTANCE + W_PERIOD, limit, {iri})
    holders: tuple[Match, ...] = ()
    if subject.cls == mi.NEED:
        holders = _rank(subject, tiers, index.holders, _quick(subject, reach, False),
                        lambda h: score_holder(subject, h, thesaurus), W_DISTANCE, limit,
                        {subject.poster} if subject.poster else set())
    shown = mi.names(store, [m.iri for m in postings + holders])
    named = lambda ms: tuple(replace(m, label=mi.label_of(shown.get(m.iri, {})) or m.iri.rsplit("/", 1)[-1])  # noqa: E731
                             for m in ms)
    return Matches(iri, subject.kind, True, named(postings), named(holders))
