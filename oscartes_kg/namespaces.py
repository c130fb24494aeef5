"""IRIs as attributes: ``OSC.Initiative`` fails at import time if the vocabulary lacks it.

``OSC`` is generated from ``ontology/oscartes.ttl`` (run ``python -m oscartes_kg.namespaces``
after changing the vocabulary; a test checks that the two agree), the way rdflib builds
``namespace/_SKOS.py``.
"""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace, URIRef

__all__ = ["OSC", "OSCID", "OSCSH", "SCHEMA", "ORG", "GEO", "PREFIXES"]

OSCID = Namespace("https://w3id.org/oscartes/id/")
OSCSH = Namespace("https://w3id.org/oscartes/shapes#")
SCHEMA = Namespace("http://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")


class OSC(DefinedNamespace):
    """The OSCARTES vocabulary."""

    _NS = Namespace("https://w3id.org/oscartes/ns#")
    _fail = True

    # BEGIN GENERATED TERMS
    Actor: URIRef
    ApiToken: URIRef
    Association: URIRef
    CallForProjects: URIRef
    Changeset: URIRef
    Charter: URIRef
    CharterReview: URIRef
    Commons: URIRef
    Commune: URIRef
    Company: URIRef
    Consent: URIRef
    Cooperative: URIRef
    CriterionVerdict: URIRef
    Departement: URIRef
    EPCI: URIRef
    Event: URIRef
    Guide: URIRef
    InformalCollective: URIRef
    Initiative: URIRef
    KnowledgeResource: URIRef
    LocalAuthority: URIRef
    MethodSheet: URIRef
    Need: URIRef
    NeedOfferStatus: URIRef
    NeedOrOffer: URIRef
    Offer: URIRef
    Organisation: URIRef
    Person: URIRef
    PoliticalParty: URIRef
    ProposalStatus: URIRef
    PublicBody: URIRef
    Region: URIRef
    ReligiousInstitution: URIRef
    ReviewOutcome: URIRef
    SocialEconomyEnterprise: URIRef
    SteeringCommittee: URIRef
    Territory: URIRef
    Training: URIRef
    UserAccount: URIRef
    Verdict: URIRef
    WorkingGroup: URIRef
    actsFor: URIRef
    addedCount: URIRef
    addedFile: URIRef
    addedQuads: URIRef
    affirmed: URIRef
    agendaKey: URIRef
    approved: URIRef
    carriedBy: URIRef
    changed: URIRef
    changedGraph: URIRef
    channel: URIRef
    commune: URIRef
    competence: URIRef
    consent: URIRef
    consentMethod: URIRef
    consentScope: URIRef
    consentWithdrawn: URIRef
    contributesTo: URIRef
    criterion: URIRef
    criterionVerdict: URIRef
    deadline: URIRef
    deadlineKey: URIRef
    declined: URIRef
    disabled: URIRef
    eligibleTerritory: URIRef
    eligibleTheme: URIRef
    fulfilled: URIRef
    governance: URIRef
    hasCharterReview: URIRef
    inseeCode: URIRef
    legalStatus: URIRef
    login: URIRef
    needOfferKind: URIRef
    needOfferStatus: URIRef
    notAffirmed: URIRef
    open: URIRef
    partOf: URIRef
    partnerOf: URIRef
    passwordHash: URIRef
    pending: URIRef
    postedBy: URIRef
    proposalStatus: URIRef
    proposedBy: URIRef
    rejected: URIRef
    removedCount: URIRef
    removedFile: URIRef
    removedQuads: URIRef
    reverts: URIRef
    reviewOutcome: URIRef
    reviewer: URIRef
    revoked: URIRef
    rna: URIRef
    role: URIRef
    sharedResource: URIRef
    siren: URIRef
    steward: URIRef
    theme: URIRef
    tokenHash: URIRef
    usesResource: URIRef
    verdict: URIRef
    withdrawalReason: URIRef
    withdrawn: URIRef
    # END GENERATED TERMS


PREFIXES = {
    "osc": str(OSC._NS), "oscid": str(OSCID), "oscsh": str(OSCSH), "schema": str(SCHEMA),
    "org": str(ORG), "geo": str(GEO),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#", "foaf": "http://xmlns.com/foaf/0.1/",
    "sh": "http://www.w3.org/ns/shacl#", "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
}


def vocabulary_terms() -> list[str]:
    """Local names of every term the ontology defines in the ``osc:`` namespace."""
    from rdflib import Graph
    from rdflib.namespace import RDF

    from . import resources
    graph = Graph().parse(resources.root() / "ontology" / "oscartes.ttl")
    prefix = str(OSC._NS)
    return sorted({str(s)[len(prefix):] for s in graph.subjects(RDF.type, None)
                   if isinstance(s, URIRef) and str(s).startswith(prefix) and str(s) != prefix})


def _regenerate() -> None:
    """Rewrite the generated block of this file from the ontology."""
    from pathlib import Path
    path = Path(__file__)
    text = path.read_text(encoding="utf-8")
    start, end = "    # BEGIN GENERATED TERMS\n", "    # END GENERATED TERMS\n"
    body = "".join(f"    {name}: URIRef\n" for name in vocabulary_terms())
    head, rest = text.split(start)
    path.write_text(head + start + body + end + rest.split(end)[1], encoding="utf-8")


if __name__ == "__main__":
    _regenerate()
