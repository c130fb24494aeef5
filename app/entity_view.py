"""What an entity page shows, made from a :class:`~oscartes_kg.describe.Description`: names
instead of IRIs, property rows with their French (or English) labels, links, coordinates,
the charter review and the provenance. Templates only lay this out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import re
from urllib.parse import urlencode, urlsplit

from pyoxigraph import Literal, NamedNode

from oscartes_kg import graphs
from oscartes_kg.describe import OWNED, Description
from oscartes_kg.store import sparql_term

from . import terms
from .dates import when
from .incoming_labels import incoming_label, more_link
from .i18n import tr

__all__ = ["Value", "Row", "build"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OSC = "https://w3id.org/oscartes/ns#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "http://schema.org/"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
LAT, LONG = GEO + "lat", GEO + "long"
DESCRIPTION = DCTERMS + "description"
#: Shown elsewhere on the page (title, description, map, links, review), or computed keys.
SHOWN_ELSEWHERE = {RDF + "type", RDFS + "label", SKOS + "prefLabel", DESCRIPTION, LAT, LONG,
                   SCHEMA + "url", OWL_SAME_AS, SKOS + "broaderTransitive",
                   *(p.value for p in OWNED)}
_DATES = {XSD + "date", XSD + "dateTime", XSD + "gYearMonth", XSD + "gYear"}
_KNOWN_SITES = (("wikidata.org/", "Wikidata"), ("openstreetmap.org/", "OpenStreetMap"),
                ("transiscope.org", "Transiscope"), ("presdecheznous.fr", "Près de chez nous"),
                ("gogocarto.fr", "GoGoCarto"))


@dataclass(frozen=True)
class Value:
    """One value as shown: its text, where it links (None: plain text), and its language."""

    text: str
    href: str | None = None
    external: bool = False
    lang: str | None = None


@dataclass(frozen=True)
class Row:
    """One property and its values."""

    iri: str
    label: str
    href: str
    values: list[Value] = field(default_factory=list)


class _Namer:
    """Labels in the page's language, from the description's label map."""

    def __init__(self, description: Description, lang: str, base: str):
        self.d, self.lang, self.base = description, lang, base

    def name(self, iri: str) -> str:
        """The label, else a readable slug: a page never shows a raw IRI as a name."""
        return self.d.label(iri, self.lang) or terms.readable(iri)

    def term(self, term) -> Value:
        """An IRI as a link named by its label, or a literal as text."""
        if isinstance(term, NamedNode):
            link = terms.href(term.value, self.base)
            return Value(self.name(term.value), link, link is not None and link == term.value)
        if isinstance(term, Literal):
            return self.literal(term)
        return Value(str(term))

    def literal(self, literal: Literal) -> Value:
        """Dates as people read them; web addresses as links; the rest as written."""
        datatype = literal.datatype.value if literal.datatype else ""
        if datatype in _DATES:
            try:
                return Value(when(literal.value, self.lang))
            except ValueError:
                pass
        if datatype == XSD + "anyURI" and terms.is_web_url(literal.value):
            return Value(literal.value, literal.value, True)
        return Value(literal.value, lang=literal.language)

    def in_language(self, literals: list) -> list:
        """Values in the page's language when there are some, else French, else all."""
        for lang in (self.lang, "fr"):
            chosen = [v for v in literals if isinstance(v, Literal) and v.language == lang]
            if chosen:
                return chosen + [v for v in literals if not isinstance(v, Literal) or not v.language]
        return literals


def build(d: Description, *, lang: str, base: str, kind: str) -> dict:
    """The page's content, ready for ``entity/show.html``."""
    namer = _Namer(d, lang, base)
    subject = d.subject.value
    return {
        "kind": kind,
        "iri": subject,
        "title": namer.name(subject),
        "types": [Value(namer.name(t.value), terms.ontology_href(t.value)) for t in d.types()],
        "descriptions": [namer.literal(v) for v in namer.in_language(d.values(
            NamedNode(DESCRIPTION))) if isinstance(v, Literal)],
        "rows": _rows(d, namer),
        "links": _external_links(d, namer),
        "same_as": _same_as(d, namer),
        "coordinates": _coordinates(d),
        "review": _review(d, namer),
        "consent": _consent(d, namer),
        "incoming": _incoming(d, namer),
        "provenance": _provenance(d, namer),
    }


def _rows(d: Description, namer: _Namer) -> list[Row]:
    """Every other property of the resource, in label order, values deduplicated."""
    by_property: dict[str, list] = {}
    for quad in d.quads:
        if quad.predicate.value in SHOWN_ELSEWHERE or quad.graph_name == graphs.DERIVED:
            continue
        by_property.setdefault(quad.predicate.value, [])
        if quad.object not in by_property[quad.predicate.value]:
            by_property[quad.predicate.value].append(quad.object)
    rows = [Row(p, namer.name(p), terms.ontology_href(p),
                sorted((namer.term(v) for v in namer.in_language(values)), key=lambda v: v.text.lower()))
            for p, values in by_property.items()]
    return sorted(rows, key=lambda row: row.label.lower())


def _external_links(d: Description, namer: _Namer) -> list[dict]:
    """The website(s); the same resource elsewhere is :func:`_same_as`."""
    return [{"site": tr("Site web", "Website"), "href": v.value}
            for v in d.values(NamedNode(SCHEMA + "url")) if terms.is_web_url(v.value)]


# --- owl:sameAs links (issue 6 §2), both directions, grouped by where they point ---------------

_WIKIDATA = re.compile(r"^https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/(Q[0-9]+)$")


def _same_as(d: Description, namer: _Namer) -> list[dict]:
    """Wikidata first (« Wikidata (Q123) »), then other maps by host name, then our own entries
    by their labels; stated on either side (a curator's link, a merge, an importer's mapping)."""
    targets = [v for v in d.values(NamedNode(OWL_SAME_AS)) if isinstance(v, NamedNode)]
    for group in d.incoming:
        if group.predicate.value == OWL_SAME_AS:
            targets += [s for s in group.subjects if isinstance(s, NamedNode)]
    groups: dict[tuple, list] = {}
    for target in dict.fromkeys(t for t in targets if t != d.subject):
        iri = target.value
        wikidata = _WIKIDATA.match(iri)
        local = terms.local_path(iri, namer.base)
        if wikidata:
            key, item = (0, "Wikidata"), {"text": f"Wikidata ({wikidata.group(1)})", "href": iri}
        elif local:
            key, item = (2, "OSCARTES"), {"text": namer.name(iri), "href": local}
        elif terms.is_web_url(iri):
            host = urlsplit(iri).hostname or iri
            site = next((name for known, name in _KNOWN_SITES if known in iri), host.removeprefix("www."))
            key, item = (1, site), {"text": iri, "href": iri}
        else:
            continue
        groups.setdefault(key, []).append(item)
    return [{"site": tr("Dans cette base", "In this knowledge base") if site == "OSCARTES" else site,
             "items": sorted(items, key=lambda i: i["text"].lower())}
            for (_, site), items in sorted(groups.items())]


def _coordinates(d: Description) -> tuple[float, float] | None:
    """(latitude, longitude) when the resource has valid WGS84 coordinates."""
    try:
        lat, lon = (float(d.values(NamedNode(p))[0].value) for p in (LAT, LONG))
    except (IndexError, ValueError):
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def _review(d: Description, namer: _Namer) -> dict | None:
    """The charter review of an initiative: reviewer, date, outcome, each criterion's verdict."""
    reviews = [r for r in d.values(NamedNode(OSC + "hasCharterReview")) if isinstance(r, NamedNode)]
    if not reviews:
        return None
    review = reviews[0]
    one = lambda p, s=review: next(iter(d.values(NamedNode(p), s)), None)  # noqa: E731
    verdicts = []
    for verdict in d.values(NamedNode(OSC + "criterionVerdict"), review):
        criterion, outcome = one(OSC + "criterion", verdict), one(OSC + "verdict", verdict)
        comments = namer.in_language(d.values(NamedNode(RDFS + "comment"), verdict))
        verdicts.append({
            "criterion": namer.term(criterion) if criterion else Value(tr("critère ?", "criterion?")),
            "verdict": namer.term(outcome) if outcome else Value(tr("non renseigné", "not given")),
            "affirmed": outcome is not None and outcome.value == OSC + "affirmed",
            "comment": comments[0].value if comments else ""})
    comments = namer.in_language(d.values(NamedNode(RDFS + "comment"), review))
    return {
        "page": namer.term(review),
        "reviewers": [namer.term(r) for r in d.values(NamedNode(OSC + "reviewer"), review)],
        "date": namer.term(one(DCTERMS + "date")) if one(DCTERMS + "date") else None,
        "outcome": namer.term(one(OSC + "reviewOutcome")) if one(OSC + "reviewOutcome") else None,
        "approved": (one(OSC + "reviewOutcome") or NamedNode(OSC + "x")).value == OSC + "approved",
        "comment": comments[0].value if comments else "",
        "verdicts": sorted(verdicts, key=lambda v: v["criterion"].text.lower()),
    }


def _consent(d: Description, namer: _Namer) -> dict | None:
    """The recorded consent under which a person is published (GDPR art. 7(1): provable)."""
    records = [c for c in d.values(NamedNode(OSC + "consent")) if isinstance(c, NamedNode)]
    if not records:
        return None
    one = lambda p: next(iter(namer.in_language(d.values(NamedNode(p), records[0]))), None)  # noqa: E731
    shown = {"date": one(DCTERMS + "date"), "scope": one(OSC + "consentScope"),
             "withdrawn": one(OSC + "consentWithdrawn")}
    return {key: namer.term(value) if value is not None else None for key, value in shown.items()}


def _incoming(d: Description, namer: _Namer) -> list[dict]:
    """Who points here, per property: label, count, the first few, and where to see them all."""
    groups = []
    stated = {q.object for q in d.quads}
    for group in d.incoming:
        if group.count == len(group.subjects) and set(group.subjects) <= stated:
            continue  # already listed by the inverse property (skos:narrower, partnerOf...)
        shown = sorted((namer.term(s) for s in group.subjects), key=lambda v: v.text.lower())
        more = None
        if group.count > len(group.subjects):
            more = more_link(group.predicate.value, d.subject.value) or "/sparql?" + urlencode(
                {"query": _listing_query(group.predicate, d.subject)})
        groups.append({"label": incoming_label(group.predicate.value, namer.name(group.predicate.value)),
                       "property": group.predicate.value, "count": group.count, "items": shown,
                       "more": more})
    return sorted(groups, key=lambda g: g["label"].lower())


def _listing_query(predicate: NamedNode, subject: NamedNode) -> str:
    """A SPARQL query listing every resource that points at ``subject`` through ``predicate``
    (terms written by pyoxigraph, never pasted)."""
    return ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            f"SELECT DISTINCT ?resource ?label WHERE {{\n  ?resource {sparql_term(predicate)} "
            f"{sparql_term(subject)} .\n  OPTIONAL {{ ?resource rdfs:label ?label }}\n}}\n"
            "ORDER BY ?label")


def _provenance(d: Description, namer: _Namer) -> list[dict]:
    """The named graphs the page's facts come from, with how many each gives."""
    counts: dict[str, int] = {}
    for quad in (*d.quads, *d.owned):
        counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
    return [{"graph": graph, "name": graph_name(graph), "count": count}
            for graph, count in sorted(counts.items())]


def graph_name(graph: str) -> str:
    """A readable name for a named graph of the knowledge base."""
    names = {graphs.DEMO.value: tr("données de démonstration", "demo data"),
             graphs.TERRITORIES.value: tr("territoires", "territories"),
             graphs.CONTRIBUTIONS.value: tr("contributions", "contributions"),
             graphs.DERIVED.value: tr("clés calculées", "computed keys"),
             graphs.ONTOLOGY.value: tr("vocabulaire", "vocabulary"),
             graphs.THESAURI.value: tr("thésaurus", "thesauri"),
             graphs.META.value: tr("description du jeu de données", "dataset description")}
    if graph in names:
        return names[graph]
    if graph.startswith(graphs.BASE + "import/"):
        return tr("import : ", "import: ") + graph[len(graphs.BASE + "import/"):]
    return terms.readable(graph)
