"""JSON-LD (schema.org, ESSGlobal) and Murmurations profiles -> organisations, needs, offers
and events of our model.

Contexts come from ``contexts/`` (never fetched). Murmurations profiles are plain JSON named
by their ``linked_schemas``: they get the shipped Murmurations context, their ``primary_url``
(else ``details_url``, else the source's own address for a single profile) as identity. The
RDF is then read by meaning, whatever the vocabulary: schema.org (http or https), ESSGlobal
(``gr:name``, ``foaf:homepage``, ``essglobal:hasAddress``), FOAF, RDFS, Dublin Core, WGS84.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict

import pyoxigraph as ox
from tqdm import tqdm

from ..errors import ParseError
from . import contexts
from .columns import date_value
from .identity import entry_iri
from .mapping import expand
from .model import P, RDF_TYPE, address_triples, decimal_literal, literal, url_literal
from .records import Entry, Mapped, Rejection

__all__ = ["read", "default_mapping", "document"]

S = "http://schema.org/"
ESS = "http://purl.org/essglobal/vocab/"
MURM = "https://ns.murmurations.network/"
#: Our kind and class for each class a document may use.
KINDS = {
    S + "Organization": ("organisation", "osc:Organisation"),
    S + "LocalBusiness": ("organisation", "osc:Organisation"),
    S + "NGO": ("organisation", "osc:Association"),
    ESS + "SSEInitiative": ("organisation", "osc:Organisation"),
    "http://xmlns.com/foaf/0.1/Organization": ("organisation", "osc:Organisation"),
    "http://www.w3.org/ns/org#Organization": ("organisation", "osc:Organisation"),
    S + "Offer": ("offer", "osc:Offer"),
    S + "Demand": ("need", "osc:Need"),
    S + "Event": ("event", "osc:Event"),
}
NAMES = [S + "name", "http://purl.org/goodrelations/v1#name", "http://www.w3.org/2000/01/rdf-schema#label",
         "http://xmlns.com/foaf/0.1/name", "http://purl.org/dc/terms/title"]
DESCRIPTIONS = [S + "description", "http://purl.org/dc/terms/description",
                "http://www.w3.org/2000/01/rdf-schema#comment"]
URLS = [S + "url", "http://xmlns.com/foaf/0.1/homepage"]
EMAILS = [S + "email", "http://xmlns.com/foaf/0.1/mbox"]
PHONES = [S + "telephone", "http://xmlns.com/foaf/0.1/phone"]
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
ADDRESS = [S + "address", ESS + "hasAddress"]
ADDRESS_FIELDS = {"streetAddress": [S + "streetAddress", "http://www.w3.org/2006/vcard/ns#street-address"],
                  "postalCode": [S + "postalCode", "http://www.w3.org/2006/vcard/ns#postal-code"],
                  "addressLocality": [S + "addressLocality", "http://www.w3.org/2006/vcard/ns#locality"],
                  "addressCountry": [S + "addressCountry", "http://www.w3.org/2006/vcard/ns#country-name"]}
#: Murmurations schemas -> (our class in schema.org terms).
MURMURATIONS = {"organizations_schema": S + "Organization", "offers_wants_schema": None}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
ITEM_KINDS = {"good": "materiel", "service": "competences"}


def default_mapping() -> dict:
    """No mapping needed: keywords become themes when they name one; see ``read``."""
    return {}


def document(data: bytes, location: str, source_iri: str):
    """The JSON of ``data``, Murmurations profiles given their context, every context local."""
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParseError(f"JSON illisible : {getattr(error, 'msg', error)} / not valid JSON",
                         file=location, line=getattr(error, "lineno", None), rule="json") from None
    items = parsed if isinstance(parsed, list) else [parsed]
    if items and all(isinstance(i, dict) and "linked_schemas" in i and "@context" not in i for i in items):
        profiles = [_murmurations(item, source_iri if len(items) == 1 else None) for item in items]
        parsed = {"@context": contexts.local("murmurations.jsonld"), "@graph": profiles}
    return contexts.inline(parsed, location)


def _murmurations(profile: dict, fallback_id: str | None) -> dict:
    """A Murmurations profile made ready for its context: a type, an identity, flat contacts."""
    profile = dict(profile)
    schemas = " ".join(map(str, profile.get("linked_schemas") or []))
    if "offers_wants_schema" in schemas:
        profile["@type"] = S + ("Demand" if profile.get("exchange_type") == "want" else "Offer")
    else:
        profile["@type"] = S + "Organization"
    if "primary_url" not in profile:
        ident = profile.get("details_url") or fallback_id
        if ident:
            profile["@id"] = ident
    contact = profile.pop("contact_details", None) or {}
    if isinstance(contact, dict) and contact.get("email"):
        profile["email"] = contact["email"]
    profile.pop("urls", None)
    profile.pop("relationships", None)
    return profile


def read(source, rules: dict, *, lookups, source_name: str, progress: bool = False) -> Mapped:
    """Map every organisation, need, offer and event of the JSON-LD document ``source``."""
    parsed = document(source.data, source.location, source.iri.value)
    try:
        quads = list(ox.parse(json.dumps(parsed).encode(), format=ox.RdfFormat.JSON_LD,
                              base_iri=source.iri.value))
    except SyntaxError as error:
        raise ParseError(f"JSON-LD invalide : {error} / invalid JSON-LD", file=source.location,
                         rule="jsonld") from None
    facts: dict = defaultdict(lambda: defaultdict(list))
    for quad in quads:
        predicate = quad.predicate.value.replace("https://schema.org/", S)
        obj = quad.object
        if isinstance(obj, ox.NamedNode) and obj.value.startswith("https://schema.org/"):
            obj = ox.NamedNode(obj.value.replace("https://schema.org/", S))
        facts[quad.subject][predicate].append(obj)
    found = [(subject, KINDS[t.value]) for subject, props in facts.items()
             for t in props.get(RDF_TYPE.value, []) if t.value in KINDS]
    found = list(dict(found).items())  # one kind per subject: the first
    mapped = Mapped()
    organisations = []
    for subject, (kind, klass) in tqdm(found, desc="lecture", unit="entrée", disable=not progress,
                                       file=sys.stderr):
        result = _entry(subject, kind, klass, facts, lookups, source_name, rules, mapped, len(found))
        if isinstance(result, Rejection):
            mapped.rejections.append(result)
        else:
            mapped.entries.append(result)
            if kind == "organisation":
                organisations.append(result.iri)
    _posted_by(mapped.entries, organisations, rules)
    return mapped


def _values(props: dict, predicates: list) -> list:
    return [term for p in predicates for term in props.get(p, [])]


def _first_text(props: dict, predicates: list) -> str:
    terms = _values(props, predicates)
    french = [t.value for t in terms if isinstance(t, ox.Literal) and t.language == "fr"]
    return (french or [t.value for t in terms])[0].strip() if terms else ""


def _entry(subject, kind, klass, facts, lookups, source_name, rules, mapped, count):
    props = facts[subject]
    name = _first_text(props, NAMES)
    if isinstance(subject, ox.BlankNode):
        return Rejection("?", name, "pas d'« @id » : l'entrée ne pourrait pas être retrouvée à la "
                         "prochaine importation / no \"@id\": the entry could not be found again")
    iri = entry_iri(kind, source_name, subject.value)
    if not name:
        return Rejection(subject.value, "", "nom manquant (schema:name) / missing name", iri=iri.value)
    triples = [ox.Triple(iri, RDF_TYPE, ox.NamedNode(expand(klass))),
               ox.Triple(iri, P.rdfs.label, literal(name, "fr"))]
    optional = [(P.dcterms.description, literal(_first_text(props, DESCRIPTIONS), "fr")),
                (P.schema.url, url_literal(_first_text(props, URLS)))]
    if kind == "organisation":
        optional += [(P.schema.email, literal(_first_text(props, EMAILS).removeprefix("mailto:"))),
                     (P.schema.telephone, literal(_first_text(props, PHONES)))]
    if subject.value.startswith(("http://", "https://")):
        optional.append((P.owl.sameAs, subject))  # the entry on the source map
    try:
        optional += _coordinates(props, facts)
    except ValueError as error:
        return Rejection(subject.value, name, f"coordonnées non numériques « {error} » / "
                         "coordinates are not numbers", iri=iri.value)
    address = _address(props, facts)
    triples += address_triples(iri, address)
    optional.append((P.osc.commune, lookups.commune(address.get("addressLocality", ""),
                                                    address.get("postalCode", ""))))
    for theme in _themes(props, lookups, mapped):
        optional.append((P.osc.theme, theme))
    if kind in ("offer", "need"):
        item = _first_text(props, [MURM + "itemType"])
        wanted = rules.get("need_offer_kind") or ITEM_KINDS.get(item, "bonne-adresse")
        optional.append((P.osc.needOfferKind, lookups.need_offer_kind(wanted)))
    if kind == "event":
        for prop in ("startDate", "endDate"):
            optional += [(getattr(P.schema, prop), _typed_date(t)) for t in props.get(S + prop, [])[:1]]
    triples += [ox.Triple(iri, p, o) for p, o in optional if o is not None]
    return Entry(subject.value, iri, name, list(dict.fromkeys(triples)))


def _typed_date(term):
    """A plain date text ("2026-04-11", JSON-LD without a typed context) typed at its precision."""
    if not isinstance(term, ox.Literal) or term.datatype.value != XSD_STRING:
        return term
    try:
        value, datatype = date_value(term.value)
    except ValueError:
        return term  # the shapes say what is wrong with it
    return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#" + datatype))


def _coordinates(props: dict, facts: dict) -> list:
    """geo:lat/long from schema:geo's GeoCoordinates, direct schema:latitude or WGS84 terms,
    or the ESSGlobal address node."""
    holders = [props] + [facts[n] for n in _values(props, [S + "geo"] + ADDRESS) if n in facts]
    for holder in holders:
        lat = _first_text(holder, [S + "latitude", GEO + "lat"])
        lon = _first_text(holder, [S + "longitude", GEO + "long"])
        if lat and lon:
            return [(P.geo.lat, decimal_literal(lat)), (P.geo.long, decimal_literal(lon))]
    return []


def _address(props: dict, facts: dict) -> dict:
    for node in _values(props, ADDRESS):
        if node in facts:
            return {key: _first_text(facts[node], preds) for key, preds in ADDRESS_FIELDS.items()
                    if _first_text(facts[node], preds)}
    return {}


def _themes(props: dict, lookups, mapped: Mapped) -> list:
    """Keywords that name one of our themes; ESSGlobal theme IRIs matched through our
    thesaurus's skos:closeMatch; other keywords are reported as unmapped."""
    found = []
    for term in _values(props, [S + "keywords", S + "about", ESS + "theme"]) + [
            t for values in props.values() for t in values if isinstance(t, ox.NamedNode)]:
        theme = lookups.theme(term.value) if isinstance(term, ox.Literal) else lookups.close_theme(term)
        if theme is not None:
            found.append(theme)
        elif isinstance(term, ox.Literal):
            for word in term.value.split(","):
                theme = lookups.theme(word)
                if theme is not None:
                    found.append(theme)
                elif word.strip():
                    mapped.unmapped[word.strip()] = mapped.unmapped.get(word.strip(), 0) + 1
    return list(dict.fromkeys(found))


def _posted_by(entries: list, organisations: list, rules: dict) -> None:
    """A need or offer names who posts it: the mapping's ``posted_by``, else the document's
    only organisation (a Murmurations node publishing its profile and its offers)."""
    poster = rules.get("posted_by")
    poster = ox.NamedNode(poster) if poster else (organisations[0] if len(organisations) == 1 else None)
    if poster is None:
        return
    for entry in entries:
        kinds = {t.object.value for t in entry.triples if t.predicate == RDF_TYPE}
        if kinds & {expand("osc:Offer"), expand("osc:Need")}:
            entry.triples.append(ox.Triple(entry.iri, P.osc.postedBy, poster))
