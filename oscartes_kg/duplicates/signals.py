"""How alike two entities are: each signal (name, distance, website, SIREN, RNA, e-mail domain)
gives a weight and a reason in French and English; the weights combine into one score.

Positive signals combine as independent evidence (``1 - Π(1 - w)``): two weak signals agreeing
make a stronger case than either. Distance also argues *against*: the same name 40 km apart is
two local groups of one movement ("Repair Café Massy", "Repair Café Évry"), not one actor.

>>> a = Profile("a", "organisation", ("Association PôleS NOE",), lat=48.7, lon=2.25)
>>> b = Profile("b", "organisation", ("Poles Noé",), lat=48.7005, lon=2.2502)
>>> score, reasons = compare(a, b)
>>> score >= THRESHOLD, [r.code for r in reasons]
(True, ['name', 'distance'])
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .. import names

__all__ = ["Profile", "Reason", "compare", "haversine_km", "email_domain", "THRESHOLD",
           "WEBMAIL"]

#: Pairs scoring at least this are proposed to curators.
THRESHOLD = 0.6
#: Mailbox providers: sharing one says nothing about identity (issue 6 §2 brief).
WEBMAIL = frozenset("""gmail.com googlemail.com orange.fr free.fr laposte.net wanadoo.fr sfr.fr
    neuf.fr club-internet.fr aliceadsl.fr bbox.fr numericable.fr icloud.com me.com aol.com
    gmx.fr gmx.com gmx.de protonmail.com proton.me yopmail.com riseup.net ovh.fr""".split())
#: Providers with one domain per country (hotmail.fr, yahoo.co.uk...): matched by first label.
WEBMAIL_FAMILIES = ("hotmail.", "yahoo.", "outlook.", "live.", "msn.", "ymail.")


@dataclass(frozen=True)
class Profile:
    """What comparison needs of one entity; ``sources`` are the graphs that describe it."""

    iri: str
    kind: str
    labels: tuple[str, ...]
    lat: float | None = None
    lon: float | None = None
    sites: frozenset = frozenset()      # names.site() forms
    sirens: frozenset = frozenset()
    rnas: frozenset = frozenset()
    domains: frozenset = frozenset()    # organisations' e-mail domains, webmail left out
    sources: frozenset = field(default=frozenset(), compare=False)


@dataclass(frozen=True)
class Reason:
    """One signal: its code, its weight (negative: against) and what curators read."""

    code: str
    weight: float
    fr: str
    en: str

    def text(self, lang: str = "fr") -> str:
        return self.en if lang == "en" else self.fr

    def to_json(self) -> dict:
        return {"code": self.code, "weight": self.weight, "fr": self.fr, "en": self.en}

    @classmethod
    def from_json(cls, data: dict) -> Reason:
        return cls(data["code"], data["weight"], data["fr"], data["en"])


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (mean Earth radius 6371 km).

    >>> round(haversine_km(48.8566, 2.3522, 48.6315, 2.4548), 1)  # Paris - Évry
    26.1
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def email_domain(address: str) -> str | None:
    """The domain of an organisation's e-mail address, None for a mailbox provider.

    >>> email_domain("Contact@Poles-Noe.fr"), email_domain("x@gmail.com"), email_domain("y@hotmail.fr")
    ('poles-noe.fr', None, None)
    """
    _, at, domain = address.strip().lower().removeprefix("mailto:").rpartition("@")
    domain = domain.strip().rstrip(".")
    if not at or "." not in domain or domain in WEBMAIL or domain.startswith(WEBMAIL_FAMILIES):
        return None
    return domain


def compare(a: Profile, b: Profile) -> tuple[float, list[Reason]]:
    """The score of the pair (0 to 1) and the reasons behind it, strongest first."""
    reasons = [r for r in (_name(a, b), _site(a, b), _same("siren", a.sirens, b.sirens),
                           _same("rna", a.rnas, b.rnas), _domain(a, b), _distance(a, b)) if r]
    against = 1.0
    for reason in reasons:
        if reason.weight < 0:
            against *= 1 + reason.weight
    doubt = 1.0
    for reason in reasons:
        if reason.weight > 0:
            doubt *= 1 - reason.weight
    score = round((1 - doubt) * against, 3)
    return score, sorted(reasons, key=lambda r: -abs(r.weight))


def _name(a: Profile, b: Profile) -> Reason | None:
    """The best similarity between any of their names (``names.similarity``)."""
    best, pair = 0.0, ("", "")
    for x in a.labels[:4]:
        for y in b.labels[:4]:
            value = names.similarity(x, y)
            if value > best:
                best, pair = value, (x, y)
    if best >= 0.95:
        weight, fr, en = 0.6, "même nom", "same name"
    elif best >= 0.85:
        weight, fr, en = 0.5, "noms très proches", "very similar names"
    elif best >= 0.75:
        weight, fr, en = 0.3, "noms proches", "similar names"
    else:
        return None
    detail = f" (« {pair[0]} » / « {pair[1]} », {best:.2f})"
    return Reason("name", weight, fr + detail, en + detail)


def _site(a: Profile, b: Profile) -> Reason | None:
    best, shown = 0.0, ""
    for x in a.sites:
        for y in b.sites:
            value = 1.0 if x == y else (0.5 if _home_and_page(x, y) else 0.0)
            if value > best:
                best, shown = value, x if x == y else x.split("/", 1)[0]
    if best == 1.0:
        return Reason("website", 0.8, f"même site web ({shown})", f"same website ({shown})")
    if best:
        return Reason("website", 0.4, f"même domaine de site web ({shown})",
                      f"same website domain ({shown})")
    return None


def _home_and_page(x: str, y: str) -> bool:
    hx, hy = x.split("/", 1), y.split("/", 1)
    return hx[0] == hy[0] and (len(hx) == 1 or len(hy) == 1)


def _same(code: str, xs: frozenset, ys: frozenset) -> Reason | None:
    shared = sorted(xs & ys)
    if not shared:
        return None
    name = {"siren": "SIREN", "rna": "RNA"}[code]
    return Reason(code, 0.9, f"même numéro {name} ({shared[0]})", f"same {name} number ({shared[0]})")


def _domain(a: Profile, b: Profile) -> Reason | None:
    shared = sorted(a.domains & b.domains)
    if not shared:
        return None
    return Reason("email", 0.5, f"même domaine de courriel ({shared[0]})",
                  f"same e-mail domain ({shared[0]})")


def _distance(a: Profile, b: Profile) -> Reason | None:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    km = haversine_km(a.lat, a.lon, b.lat, b.lon)
    shown = f"{round(km * 1000)} m" if km < 1 else f"{km:.1f} km"
    if km <= 0.2:
        return Reason("distance", 0.3, f"à {shown} l'un de l'autre", f"{shown} apart")
    if km <= 2:
        return Reason("distance", 0.2, f"à {shown} l'un de l'autre", f"{shown} apart")
    if km <= 10:
        return Reason("distance", 0.05, f"à {shown} l'un de l'autre", f"{shown} apart")
    if km > 30:
        return Reason("distance", -0.5, f"éloignés de {shown}", f"{shown} apart")
    return None
