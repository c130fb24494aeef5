"""Charter and quality shapes: a conforming and a violating scenario per shape, checked with pySHACL."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDFS, SH, SKOS
from rdflib.term import Node

ROOT = Path(__file__).resolve().parents[1]
SHAPES_DIR = ROOT / "shapes"
ONTOLOGY = ROOT / "ontology" / "oscartes.ttl"
THESAURI_DIR = ROOT / "ontology" / "thesauri"
SCENARIOS_DIR = Path(__file__).resolve().parent / "data" / "shapes"

OSC = Namespace("https://w3id.org/oscartes/ns#")
OSCSH = Namespace("https://w3id.org/oscartes/shapes#")
ID = Namespace("https://w3id.org/oscartes/id/")
SCHEMA = Namespace("http://schema.org/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
COMPLEX_PATH = "complex path"  # stands for a path that is not a single predicate (a blank node)

# The French sh:message of each shape that can be reported, copied here on purpose: the test
# asserts the text a volunteer reads, so a change in the shapes has to be made here too.
MESSAGES = {
    "ActorEmail": "L'adresse électronique n'a pas la bonne forme : écrivez-la comme nom@domaine.fr, sans espaces ni « mailto: ».",
    "ApprovedDate": "La relecture de charte doit être datée (AAAA-MM-JJ, type xsd:date).",
    "ApprovedOutcome": "La relecture n'a pas approuvé l'initiative (osc:reviewOutcome n'est pas osc:approved) : une initiative rejetée ne peut pas être publiée.",
    "ApprovedReviewer": "La relecture doit être faite par un membre du collectif OSCARTES : indiquez le relecteur (osc:reviewer) et vérifiez son adhésion (org:memberOf).",
    "CallDeadlineDatatype": "La date limite doit être une date précise : AAAA-MM-JJ (xsd:date) ou AAAA-MM-JJThh:mm:ss (xsd:dateTime).",
    "CallDeadlineRequired": "La date limite de l'appel à projets est obligatoire : indiquez-la (AAAA-MM-JJ).",
    "CallFunder": "Le financeur de l'appel à projets n'est pas indiqué : ajoutez-le si vous le connaissez.",
    "CallEligibleTheme": "Ce thème éligible n'est pas dans la liste des thèmes OSCARTES : choisissez-en un dans la liste.",
    "CallEligibleTerritory": "Le territoire éligible n'est pas un territoire connu de la base : choisissez une commune, une intercommunalité, un département ou une région de la liste.",
    "EventOrganizer": "L'organisateur indiqué n'est pas un acteur de la base : choisissez une organisation ou une personne de la liste.",
    "ResourceLicense": "La licence doit être l'adresse (IRI) d'une licence, par exemple https://creativecommons.org/licenses/by-sa/4.0/ pour CC BY-SA 4.0, pas un texte.",
    "ResourceCreator": "L'auteur indiqué n'est pas un acteur de la base : choisissez une organisation ou une personne de la liste.",
    "InitiativeUsesResource": "La ressource indiquée n'est pas une ressource de savoir de la base : choisissez un guide, une formation ou une fiche méthode de la liste.",
    "OrganisationLegalStatus": "Ce statut juridique n'est pas dans la liste des statuts d'acteurs OSCARTES : choisissez-en un dans la liste.",
    "ActorStatusConceptInScheme": "Ce concept n'appartient pas au schéma des statuts d'acteurs (…/id/scheme/actor-statuses).",
    "CarrierNotPoliticalParty": "Critère 1 de la charte (indépendance) : une initiative ne peut pas être portée par un parti politique. Retirez ce porteur ou renoncez à référencer l'initiative.",
    "CarrierNotReligiousInstitution": "Critère 1 de la charte (indépendance) : une initiative ne peut pas être portée par une institution religieuse. Retirez ce porteur ou renoncez à référencer l'initiative.",
    "CharterCriterionConceptInScheme": "Ce concept n'est pas un critère de la charte des valeurs (…/id/scheme/charter-criteria).",
    "CollectiveMembership": "Ce relecteur n'est pas membre du collectif OSCARTES, ni directement ni par un groupe de travail ou le comité de pilotage.",
    "CommonsGovernance": "La gouvernance du commun n'est pas décrite : dites qui décide des règles et comment.",
    "CommonsSharedResource": "La ressource mise en commun n'est pas décrite : dites ce qui est partagé.",
    "CommuneInseeFormat": "Le code INSEE d'une commune compte 5 caractères : 5 chiffres (par exemple 91228), ou 2A/2B suivi de 3 chiffres en Corse.",
    "CommuneInseeRequired": "Une commune a exactement un code INSEE : indiquez-le (ce n'est pas le code postal).",
    "CompetenceConceptInScheme": "Ce concept n'appartient pas au schéma des compétences (…/id/scheme/competences).",
    "CompetenceInScheme": "Cette compétence n'est pas dans la liste des compétences OSCARTES : choisissez-en une dans la liste.",
    "ConsentDate": "Un consentement doit avoir une date, au format AAAA-MM-JJ (RGPD, art. 7 : il faut pouvoir le démontrer).",
    "ConsentMethod": "Précisez comment le consentement a été recueilli (osc:consentMethod), par exemple « formulaire papier signé » (RGPD, art. 7 : il faut pouvoir le démontrer).",
    "ConsentNotWithdrawn": "Ce consentement a été retiré (osc:consentWithdrawn) : il ne permet plus de publier la personne.",
    "ConsentScope": "Précisez ce que la personne accepte de voir publié (osc:consentScope) : un consentement doit être spécifique (RGPD, art. 4(11) et 7).",
    "ConsentWithdrawnDate": "La date de retrait du consentement doit être une seule date, au format AAAA-MM-JJ (xsd:date).",
    "CriterionIndependanceAffirmed": "Critère 1 de la charte non attesté : la relecture doit affirmer l'indépendance vis-à-vis des partis politiques et des institutions religieuses ; ajoutez un verdict « affirmé » sur ce critère (osc:criterionVerdict).",
    "CriterionReponseCriseSystemiqueAffirmed": "Critère 2 de la charte non attesté : la relecture doit affirmer une réponse concrète à la crise systémique ; ajoutez un verdict « affirmé » sur ce critère (osc:criterionVerdict).",
    "CriterionPoursuiteDesCommunsAffirmed": "Critère 3 de la charte non attesté : la relecture doit affirmer la poursuite d'un commun ; ajoutez un verdict « affirmé » sur ce critère (osc:criterionVerdict).",
    "CriterionRefusViolenceDiscriminationAffirmed": "Critère 4 de la charte non attesté : la relecture doit affirmer le refus de la violence et des discriminations ; ajoutez un verdict « affirmé » sur ce critère (osc:criterionVerdict).",
    "CriterionOuverturePartageAffirmed": "Critère 5 de la charte non attesté : la relecture doit affirmer l'ouverture et le partage ; ajoutez un verdict « affirmé » sur ce critère (osc:criterionVerdict).",
    "DepartementInseeFormat": "Le code d'un département compte 2 chiffres (91 pour l'Essonne), 2A ou 2B en Corse, ou 3 chiffres commençant par 97 outre-mer.",
    "EntityCommune": "La commune indiquée n'est pas une commune connue de la base : choisissez-la dans la liste des communes.",
    "EntityDescriptionLong": "La description doit être un texte de 5000 caractères au plus : raccourcissez-la et mettez les détails dans une ressource liée.",
    "EntityDescriptionShort": "La description est très courte (moins de 20 caractères) : ajoutez une ou deux phrases pour présenter la fiche.",
    "EntityLabel": "Le nom (rdfs:label) est obligatoire : indiquez un texte de 2 à 200 caractères.",
    "EntityLatitude": "La latitude doit être une seule valeur décimale (xsd:decimal) entre -90 et 90, par exemple 48.63.",
    "EntityLongitude": "La longitude doit être une seule valeur décimale (xsd:decimal) entre -180 et 180, par exemple 2.43.",
    "EntityTheme": "Ce thème n'est pas dans la liste des thèmes OSCARTES : choisissez-en un dans la liste.",
    "EntityUrl": "Le site web doit être une adresse complète commençant par http:// ou https:// (type xsd:anyURI).",
    "EpciSiren": "Le SIREN d'une intercommunalité (EPCI) doit compter exactement 9 chiffres, sans espaces.",
    "EventEndDatatype": "La date de fin n'est pas dans un format reconnu : écrivez AAAA-MM-JJ, AAAA-MM-JJThh:mm:ss, AAAA-MM ou AAAA (types xsd:date, xsd:dateTime, xsd:gYearMonth, xsd:gYear).",
    "EventStartBeforeEnd": "La date de fin de l'événement est antérieure à sa date de début (ou les deux dates n'ont pas la même précision) : corrigez l'une des deux.",
    "EventStartDatatype": "La date de début n'est pas dans un format reconnu : écrivez AAAA-MM-JJ, AAAA-MM-JJThh:mm:ss, AAAA-MM ou AAAA (types xsd:date, xsd:dateTime, xsd:gYearMonth, xsd:gYear).",
    "EventStartRequired": "La date de début de l'événement est obligatoire : indiquez au moins l'année.",
    "InitiativeReviewApproved": "La relecture de charte ne permet pas de publier cette initiative : elle doit être approuvée, datée, faite par un membre du collectif et affirmer les cinq critères (voir le détail).",
    "InitiativeReviewRequired": "Cette initiative n'a pas de relecture de charte : avant de la publier, un membre du collectif doit vérifier les cinq critères de la charte des valeurs.",
    "NeedOfferKindConceptInScheme": "Ce concept n'appartient pas au schéma des types de besoins et d'offres (…/id/scheme/need-offer-kinds).",
    "NeedOfferKindInScheme": "Ce type n'est pas dans la liste des types de besoins et d'offres : choisissez-en un dans la liste.",
    "NeedOfferKindRequired": "Le type de besoin ou d'offre est obligatoire : bénévolat, stage, compétence, local, matériel, bonne adresse ou partenaire financier.",
    "NeedOfferPostedBy": "Indiquez quel acteur publie ce besoin ou cette offre (osc:postedBy) : sans lui, personne ne peut répondre.",
    "NeedOfferStatusIn": "Le statut d'un besoin ou d'une offre est un seul de « ouvert » (osc:open) ou « satisfait » (osc:fulfilled).",
    "NeedOfferValidFrom": "La date de début d'un besoin ou d'une offre est une seule date AAAA-MM-JJ (xsd:date).",
    "NeedOfferValidThrough": "La date de fin d'un besoin ou d'une offre est une seule date AAAA-MM-JJ (xsd:date).",
    "OrganisationRna": "Le numéro RNA doit être la lettre W majuscule suivie de 9 chiffres, par exemple W913000123.",
    "OrganisationSiren": "Le numéro SIREN doit compter exactement 9 chiffres, sans espaces ni lettres.",
    "PersonConsentNotWithdrawn": "Cette personne a retiré son consentement (RGPD, art. 7) : retirez sa fiche des graphes publics.",
    "PersonConsentRequired": "Une personne ne peut être publiée qu'avec son consentement enregistré (RGPD, art. 6 et 7) : ajoutez un consentement (osc:Consent) daté, avec ce qu'elle accepte de publier et comment elle l'a donné.",
    "PersonNoEmail": "Le courriel d'une personne ne doit pas être publié (RGPD, art. 6 et 7) : enregistrez-le dans le graphe privé, pas dans les données publiques.",
    "PersonNoTelephone": "Le téléphone d'une personne ne doit pas être publié (RGPD, art. 6 et 7) : enregistrez-le dans le graphe privé, pas dans les données publiques.",
    "PersonNoVcardEmail": "Le courriel d'une personne (vcard:hasEmail) ne doit pas être publié (RGPD, art. 6 et 7) : enregistrez-le dans le graphe privé, pas dans les données publiques.",
    "PersonNoVcardTelephone": "Le téléphone d'une personne (vcard:hasTelephone) ne doit pas être publié (RGPD, art. 6 et 7) : enregistrez-le dans le graphe privé, pas dans les données publiques.",
    "RegionInseeFormat": "Le code INSEE d'une région compte 2 chiffres, par exemple 11 pour l'Île-de-France.",
    "ReviewDate": "Une relecture de charte a une seule date, au format AAAA-MM-JJ (xsd:date).",
    "ReviewOutcome": "Une relecture de charte a une seule issue : approuvée (osc:approved) ou rejetée (osc:rejected).",
    "ReviewReviewer": "Indiquez qui a fait la relecture de charte (osc:reviewer).",
    "ThemeConceptInScheme": "Ce concept n'appartient pas au schéma des thèmes (…/id/scheme/themes).",
    "VerdictCriterion": "Un verdict porte sur un seul critère, choisi parmi les cinq critères de la charte des valeurs.",
    "VerdictValue": "Un verdict a une seule valeur : affirmé (osc:affirmed) ou non affirmé (osc:notAffirmed).",
}

# SHACL predicates the shapes may use (shapes/README.md: the subset the SPARQL compiler reads),
# plus the non-validating ones forms are built from.
ALLOWED_SH_PREDICATES = {
    SH[name]
    for name in (
        "targetClass property not severity message deactivated path inversePath zeroOrMorePath "
        "oneOrMorePath alternativePath minCount maxCount datatype class nodeKind in hasValue pattern "
        "flags minLength maxLength minInclusive maxInclusive minExclusive maxExclusive lessThan "
        "lessThanOrEquals languageIn uniqueLang or node qualifiedValueShape qualifiedMinCount "
        "name description order group defaultValue"
    ).split()
}


@dataclass(frozen=True)
class Result:
    """One validation result as the volunteer sees it, with the nested results of sh:node."""

    focus: Node
    path: Node | str
    severity: URIRef
    message: str | None
    details: frozenset[Result] = field(default=frozenset())


@dataclass(frozen=True)
class Outcome:
    """What pySHACL reported for one scenario file."""

    results: frozenset[Result]
    counts: Counter
    sources: frozenset[Node]


def expect(focus: str, path: Node | str, shape: str, *details: Result, severity: str = "Violation") -> Result:
    """Build an expected result from a data IRI suffix, a path, a shape name and nested results."""
    return Result(ID[focus], path, SH[severity], MESSAGES[shape], frozenset(details))


def v(focus: str, path: Node | str, shape: str, *details: Result) -> Result:
    """Expected Violation."""
    return expect(focus, path, shape, *details)


def w(focus: str, path: Node | str, shape: str) -> Result:
    """Expected Warning."""
    return expect(focus, path, shape, severity="Warning")


def criterion_missing(number: int, shape: str) -> Result:
    """Expected result: initiative/projet-<n>'s review affirms every criterion but criterion n."""
    detail = v(f"review/projet-{number}", OSC.criterionVerdict, shape)
    return v(f"initiative/projet-{number}", OSC.hasCharterReview, "InitiativeReviewApproved", detail)


# topic -> focus node of interest in <topic>-ok.ttl, and every result <topic>-bad.ttl must yield.
SCENARIOS: dict[str, tuple[str, list[Result]]] = {
    "entity-label": ("organisation/jardins-exemple", [
        v("organisation/sans-nom", RDFS.label, "EntityLabel"),
        v("organisation/x", RDFS.label, "EntityLabel"),
    ]),
    "entity-description-short": ("organisation/jardins-exemple", [
        w("organisation/jardins-exemple", DCTERMS.description, "EntityDescriptionShort"),
    ]),
    "entity-description-long": ("organisation/jardins-exemple", [
        v("organisation/jardins-exemple", DCTERMS.description, "EntityDescriptionLong"),
    ]),
    "entity-url": ("organisation/jardins-exemple", [
        v("organisation/jardins-exemple", SCHEMA.url, "EntityUrl"),
        v("organisation/fondation-exemple", SCHEMA.url, "EntityUrl"),
    ]),
    "entity-theme": ("organisation/jardins-exemple", [
        v("organisation/jardins-exemple", OSC.theme, "EntityTheme",
          v("competence/facilitation", SKOS.inScheme, "ThemeConceptInScheme")),
    ]),
    "entity-commune": ("organisation/jardins-exemple", [
        v("organisation/jardins-exemple", OSC.commune, "EntityCommune"),
    ]),
    "entity-latitude": ("organisation/jardins-exemple", [
        v("organisation/jardins-exemple", GEO.lat, "EntityLatitude"),
    ]),
    "entity-longitude": ("organisation/jardins-exemple", [
        v("organisation/jardins-exemple", GEO.long, "EntityLongitude"),
    ]),
    "organisation-siren": ("organisation/jardins-exemple", [
        v("organisation/jardins-exemple", OSC.siren, "OrganisationSiren"),
    ]),
    "organisation-rna": ("organisation/jardins-exemple", [
        v("organisation/jardins-exemple", OSC.rna, "OrganisationRna"),
    ]),
    "actor-email": ("organisation/jardins-exemple", [
        v("organisation/jardins-exemple", SCHEMA.email, "ActorEmail"),
    ]),
    "actor-competence": ("organisation/jardins-exemple", [
        v("organisation/jardins-exemple", OSC.competence, "CompetenceInScheme",
          v("theme/alimentation", SKOS.inScheme, "CompetenceConceptInScheme")),
    ]),
    "event-start-required": ("event/fete-des-jardins", [
        v("event/fete-des-jardins", SCHEMA.startDate, "EventStartRequired"),
    ]),
    "event-start-datatype": ("event/fete-des-jardins", [
        v("event/fete-des-jardins", SCHEMA.startDate, "EventStartDatatype"),
    ]),
    # A plain-string end date also fails the date order: pySHACL cannot compare it with a date.
    "event-end-datatype": ("event/fete-des-jardins", [
        v("event/fete-des-jardins", SCHEMA.endDate, "EventEndDatatype"),
        v("event/fete-des-jardins", SCHEMA.startDate, "EventStartBeforeEnd"),
    ]),
    "event-start-before-end": ("event/fete-des-jardins", [
        v("event/fete-des-jardins", SCHEMA.startDate, "EventStartBeforeEnd"),
    ]),
    "call-deadline-required": ("call/appel-jardins", [
        v("call/appel-jardins", OSC.deadline, "CallDeadlineRequired"),
    ]),
    "call-deadline-datatype": ("call/appel-jardins", [
        v("call/appel-jardins", OSC.deadline, "CallDeadlineDatatype"),
    ]),
    "call-funder": ("call/appel-jardins", [
        w("call/appel-jardins", SCHEMA.funder, "CallFunder"),
    ]),
    "call-eligible-theme": ("call/appel-jardins", [
        v("call/appel-jardins", OSC.eligibleTheme, "CallEligibleTheme",
          v("competence/facilitation", SKOS.inScheme, "ThemeConceptInScheme")),
    ]),
    "call-eligible-territory": ("call/appel-jardins", [
        v("call/appel-jardins", OSC.eligibleTerritory, "CallEligibleTerritory"),
    ]),
    "event-organizer": ("event/fete-des-jardins", [
        v("event/fete-des-jardins", SCHEMA.organizer, "EventOrganizer"),
    ]),
    "organisation-legal-status": ("organisation/jardins-exemple", [
        v("organisation/jardins-exemple", OSC.legalStatus, "OrganisationLegalStatus",
          v("theme/alimentation", SKOS.inScheme, "ActorStatusConceptInScheme")),
    ]),
    "need-offer-kind-required": ("need/benevoles-jardin", [
        v("need/benevoles-jardin", OSC.needOfferKind, "NeedOfferKindRequired"),
    ]),
    "need-offer-kind-scheme": ("need/benevoles-jardin", [
        v("need/benevoles-jardin", OSC.needOfferKind, "NeedOfferKindInScheme",
          v("theme/alimentation", SKOS.inScheme, "NeedOfferKindConceptInScheme")),
    ]),
    "need-offer-posted-by": ("offer/benevoles-jardin", [
        v("offer/benevoles-jardin", OSC.postedBy, "NeedOfferPostedBy"),
    ]),
    "need-offer-status": ("need/benevoles-jardin", [
        v("need/benevoles-jardin", OSC.needOfferStatus, "NeedOfferStatusIn"),
    ]),
    "need-offer-period": ("need/benevoles-jardin", [
        v("need/benevoles-jardin", SCHEMA.validFrom, "NeedOfferValidFrom"),
        v("need/benevoles-jardin", SCHEMA.validThrough, "NeedOfferValidThrough"),
    ]),
    "commune-insee-required": ("territory/commune-91228", [
        v("territory/commune-91228", OSC.inseeCode, "CommuneInseeRequired"),
    ]),
    "commune-insee-format": ("territory/commune-91228", [
        v("territory/commune-91228", OSC.inseeCode, "CommuneInseeFormat"),
    ]),
    "departement-insee": ("territory/departement-91", [
        v("territory/departement-91", OSC.inseeCode, "DepartementInseeFormat"),
    ]),
    "region-insee": ("territory/region-11", [
        v("territory/region-11", OSC.inseeCode, "RegionInseeFormat"),
    ]),
    "epci-siren": ("territory/epci-123456789", [
        v("territory/epci-123456789", OSC.siren, "EpciSiren"),
    ]),
    "commons-shared-resource": ("commons/grainotheque-exemple", [
        w("commons/grainotheque-exemple", OSC.sharedResource, "CommonsSharedResource"),
    ]),
    "commons-governance": ("commons/grainotheque-exemple", [
        w("commons/grainotheque-exemple", OSC.governance, "CommonsGovernance"),
    ]),
    "initiative-review-required": ("initiative/jardin-partage", [
        v("initiative/jardin-partage", OSC.hasCharterReview, "InitiativeReviewRequired"),
    ]),
    "charter-approval": ("initiative/jardin-partage", [
        v("initiative/rucher-rejete", OSC.hasCharterReview, "InitiativeReviewApproved",
          v("review/rucher-rejete", OSC.reviewOutcome, "ApprovedOutcome")),
        v("initiative/compost-sans-date", OSC.hasCharterReview, "InitiativeReviewApproved",
          v("review/compost-sans-date", DCTERMS.date, "ApprovedDate")),
        v("review/compost-sans-date", DCTERMS.date, "ReviewDate"),
        v("initiative/repair-cafe", OSC.hasCharterReview, "InitiativeReviewApproved",
          v("review/repair-cafe", OSC.reviewer, "ApprovedReviewer",
            v("person/dominique-exemple", COMPLEX_PATH, "CollectiveMembership"))),
    ]),
    "charter-criteria": ("initiative/jardin-partage", [
        criterion_missing(1, "CriterionIndependanceAffirmed"),
        criterion_missing(2, "CriterionReponseCriseSystemiqueAffirmed"),
        criterion_missing(3, "CriterionPoursuiteDesCommunsAffirmed"),
        criterion_missing(4, "CriterionRefusViolenceDiscriminationAffirmed"),
        criterion_missing(5, "CriterionOuverturePartageAffirmed"),
    ]),
    "resource-license": ("resource/guide-gouvernance", [
        v("resource/guide-gouvernance", DCTERMS.license, "ResourceLicense"),
    ]),
    "resource-creator": ("resource/fiche-mesure-impact", [
        v("resource/fiche-mesure-impact", DCTERMS.creator, "ResourceCreator"),
    ]),
    "initiative-uses-resource": ("initiative/jardin-partage", [
        v("initiative/jardin-partage", OSC.usesResource, "InitiativeUsesResource"),
    ]),
    "initiative-carrier": ("initiative/jardin-partage", [
        v("initiative/fete-militante", OSC.carriedBy, "CarrierNotPoliticalParty"),
        v("initiative/kermesse", OSC.carriedBy, "CarrierNotReligiousInstitution"),
    ]),
    "charter-review": ("review/rucher-rejete", [
        v("review/rucher-rejete", OSC.reviewer, "ReviewReviewer"),
        v("review/rucher-rejete", DCTERMS.date, "ReviewDate"),
        v("review/rucher-rejete", OSC.reviewOutcome, "ReviewOutcome"),
    ]),
    "criterion-verdict": ("review/rucher-ouverture-partage", [
        v("review/rucher-alimentation", OSC.criterion, "VerdictCriterion",
          v("theme/alimentation", SKOS.inScheme, "CharterCriterionConceptInScheme")),
        v("review/rucher-ouverture-partage", OSC.verdict, "VerdictValue"),
    ]),
    "person-consent-required": ("person/camille-exemple", [
        v("person/dominique-exemple", OSC.consent, "PersonConsentRequired"),
    ]),
    "person-consent-withdrawn": ("person/camille-exemple", [
        v("person/camille-exemple", OSC.consent, "PersonConsentNotWithdrawn",
          v("consent/camille-exemple", OSC.consentWithdrawn, "ConsentNotWithdrawn")),
    ]),
    "person-contact": ("person/camille-exemple", [
        v("person/camille-exemple", SCHEMA.email, "PersonNoEmail"),
        v("person/camille-exemple", SCHEMA.telephone, "PersonNoTelephone"),
        v("person/camille-exemple", VCARD.hasEmail, "PersonNoVcardEmail"),
        v("person/camille-exemple", VCARD.hasTelephone, "PersonNoVcardTelephone"),
    ]),
    "consent-record": ("consent/camille-exemple", [
        v("consent/camille-exemple", DCTERMS.date, "ConsentDate"),
        v("consent/camille-exemple", OSC.consentScope, "ConsentScope"),
        v("consent/camille-exemple", OSC.consentMethod, "ConsentMethod"),
        v("consent/camille-exemple", OSC.consentWithdrawn, "ConsentWithdrawnDate"),
    ]),
}


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """All shapes files, parsed once."""
    graph = Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=1)
def vocabulary_graph() -> Graph:
    """The ontology and thesauri: the class hierarchy and concept schemes the shapes rely on."""
    graph = Graph()
    graph.parse(ONTOLOGY, format="turtle")
    for path in sorted(THESAURI_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def validate_graph(data: Graph) -> Graph:
    """Run pySHACL on data merged with the vocabulary (no inference, no focus_nodes: PITFALLS.md)."""
    merged = Graph()
    merged += vocabulary_graph()
    merged += data
    _conforms, report, _text = pyshacl.validate(merged, shacl_graph=shapes_graph(), inference="none")
    return report


def read_result(report: Graph, node: Node) -> Result:
    """Turn one sh:ValidationResult (and its sh:detail results) into a Result."""
    french = [m for m in report.objects(node, SH.resultMessage) if getattr(m, "language", None) == "fr"]
    path = report.value(node, SH.resultPath)
    return Result(
        focus=report.value(node, SH.focusNode),
        path=COMPLEX_PATH if isinstance(path, BNode) else path,
        severity=report.value(node, SH.resultSeverity),
        message=str(french[0]) if len(french) == 1 else None,
        details=frozenset(read_result(report, d) for d in report.objects(node, SH.detail)),
    )


def top_results(report: Graph) -> list[Result]:
    """The results hanging from the validation report itself (not the nested details)."""
    root = next(report.subjects(RDF.type, SH.ValidationReport))
    return [read_result(report, node) for node in report.objects(root, SH.result)]


@lru_cache(maxsize=None)
def validate_scenario(name: str) -> Outcome:
    """Validate one scenario file against all shapes, once per file."""
    data = Graph().parse(SCENARIOS_DIR / name, format="turtle")
    report = validate_graph(data)
    results = top_results(report)
    sources = frozenset(report.objects(None, SH.sourceShape))
    return Outcome(frozenset(results), Counter(results), sources)


def shape_name(node: Node) -> str:
    """Local name of a shape IRI, for readable assertion messages."""
    return str(node).rsplit("#", 1)[-1]


@pytest.mark.parametrize("topic", sorted(SCENARIOS))
def test_ok_scenario_conforms(topic: str) -> None:
    """The conforming scenario has no Violation, and nothing at all on its focus node."""
    focus = ID[SCENARIOS[topic][0]]
    outcome = validate_scenario(f"{topic}-ok.ttl")
    assert [r for r in outcome.results if r.severity == SH.Violation] == []
    assert [r for r in outcome.results if r.focus == focus] == []


@pytest.mark.parametrize("topic", sorted(SCENARIOS))
def test_bad_scenario_yields_expected_results(topic: str) -> None:
    """The violating scenario yields exactly the expected results, messages included."""
    expected = Counter(SCENARIOS[topic][1])
    outcome = validate_scenario(f"{topic}-bad.ttl")
    assert outcome.counts == expected


def test_every_topic_has_an_ok_and_a_bad_file() -> None:
    """Scenario files on disk and the table above name the same topics."""
    on_disk = {p.name for p in SCENARIOS_DIR.glob("*.ttl")}
    expected = {f"{topic}-{kind}.ttl" for topic in SCENARIOS for kind in ("ok", "bad")}
    assert on_disk == expected


def test_every_reportable_shape_is_exercised() -> None:
    """Each shape with a message is the source of a result in some violating scenario."""
    reportable = set(shapes_graph().subjects(SH.message, None))
    exercised = set().union(*(validate_scenario(f"{t}-bad.ttl").sources for t in SCENARIOS))
    assert sorted(shape_name(s) for s in reportable - exercised) == []
    assert {shape_name(s) for s in reportable} == set(MESSAGES)


def test_messages_exist_in_french_and_english() -> None:
    """Every sh:message comes as exactly one French and one English text."""
    graph = shapes_graph()
    for shape in set(graph.subjects(SH.message, None)):
        languages = sorted(m.language or "" for m in graph.objects(shape, SH.message))
        assert languages == ["en", "fr"], shape_name(shape)


def qualified_members(graph: Graph) -> set[Node]:
    """Property shapes inside a qualified value shape: pySHACL never reports them."""
    return {p for q in graph.objects(None, SH.qualifiedValueShape) for p in graph.objects(q, SH.property)}


def test_property_shapes_carry_form_metadata() -> None:
    """Every property shape has sh:name and sh:description in French and English, sh:order and sh:group."""
    graph = shapes_graph()
    for shape in set(graph.subjects(SH.path, None)):
        for predicate in (SH.name, SH.description):
            languages = sorted(x.language or "" for x in graph.objects(shape, predicate))
            assert languages == ["en", "fr"], (shape_name(shape), predicate)
        assert graph.value(shape, SH.order) is not None, shape_name(shape)
        assert (graph.value(shape, SH.group), RDF.type, SH.PropertyGroup) in graph, shape_name(shape)


def test_reportable_property_shapes_have_message_and_severity() -> None:
    """Every property shape that can be reported says what is wrong, with a severity."""
    graph = shapes_graph()
    for shape in set(graph.subjects(SH.path, None)) - qualified_members(graph):
        assert graph.value(shape, SH.message) is not None, shape_name(shape)
        assert graph.value(shape, SH.severity) in (SH.Violation, SH.Warning), shape_name(shape)


def test_property_groups_are_labelled_in_french_and_english() -> None:
    """Form sections carry a French and an English label."""
    graph = shapes_graph()
    for group in graph.subjects(RDF.type, SH.PropertyGroup):
        assert sorted(x.language for x in graph.objects(group, RDFS.label)) == ["en", "fr"], shape_name(group)


def test_only_charter_and_personal_data_shapes_are_scoped_to_public_graphs() -> None:
    """oscsh:scope oscsh:PublicGraphs marks the published-initiative and published-person shapes."""
    scoped = dict(shapes_graph().subject_objects(OSCSH.scope))
    assert scoped == {
        OSCSH.PublishedInitiativeShape: OSCSH.PublicGraphs,
        OSCSH.PublishedPersonShape: OSCSH.PublicGraphs,
    }


def test_shapes_keep_to_the_compiled_subset() -> None:
    """Only the SHACL terms of shapes/README.md appear, so the SPARQL compiler can read every shape."""
    used = {p for p in shapes_graph().predicates() if str(p).startswith(str(SH))}
    assert sorted(shape_name(p) for p in used - ALLOWED_SH_PREDICATES) == []


def test_vocabulary_alone_conforms() -> None:
    """The ontology and thesauri themselves raise no result."""
    assert top_results(validate_graph(Graph())) == []


def event_graph(start: Literal, end: Literal) -> Graph:
    """A labelled event with one start and one end date."""
    graph = Graph()
    event = ID["event/fete-des-jardins"]
    graph.add((event, RDF.type, OSC.Event))
    graph.add((event, RDFS.label, Literal("Fête des jardins", lang="fr")))
    graph.add((event, SCHEMA.startDate, start))
    graph.add((event, SCHEMA.endDate, end))
    return graph


def date(text: str, datatype: URIRef) -> Literal:
    """A typed date literal."""
    return Literal(text, datatype=datatype)


# pySHACL 0.40.1 / rdflib 7.6 behaviour of sh:lessThanOrEquals, as written in shapes/events.ttl.
DATE_ORDER_CASES = [
    (date("2025-06-14", XSD.date), date("2025-06-15", XSD.date), False),
    (date("2025-06-15", XSD.date), date("2025-06-14", XSD.date), True),
    (date("2025-06-14T18:00:00", XSD.dateTime), date("2025-06-14T10:00:00", XSD.dateTime), True),
    (date("2025", XSD.gYear), date("2025", XSD.gYear), False),
    # Mixed datatypes: ordered by datatype IRI, not by time.
    (date("2025-03-10", XSD.date), date("2024", XSD.gYear), False),
    (date("2025-03-01T10:00:00", XSD.dateTime), date("2025-03-10", XSD.date), True),
    (date("2025", XSD.gYear), date("2025-06-14", XSD.date), True),
]


@pytest.mark.parametrize(("start", "end", "reported"), DATE_ORDER_CASES)
def test_event_date_order_as_pyshacl_compares(start: Literal, end: Literal, reported: bool) -> None:
    """Pin how the reference engine orders event dates (see the comment in shapes/events.ttl)."""
    results = top_results(validate_graph(event_graph(start, end)))
    order_results = [r for r in results if r.message == MESSAGES["EventStartBeforeEnd"]]
    assert len(order_results) == (1 if reported else 0)


@pytest.mark.parametrize(("start", "end"), [("2024", "2025"), ("2025-06", "2025-07")])
def test_partial_dates_in_order_conform_with_a_deprecation_warning(start: str, end: str) -> None:
    """gYear/gYearMonth in order conform, but rdflib warns while comparing them."""
    datatype = XSD.gYear if len(start) == 4 else XSD.gYearMonth
    with pytest.warns(DeprecationWarning, match="NotImplemented should not be used in a boolean context"):
        results = top_results(validate_graph(event_graph(date(start, datatype), date(end, datatype))))
    assert results == []


@pytest.mark.parametrize(("start", "end"), [("2026", "2025"), ("2025-07", "2025-06")])
def test_reversed_partial_dates_make_pyshacl_raise(start: str, end: str) -> None:
    """A gYear/gYearMonth end before its start crashes pySHACL (TypeError): callers must catch it."""
    datatype = XSD.gYear if len(start) == 4 else XSD.gYearMonth
    with pytest.raises(TypeError):
        validate_graph(event_graph(date(start, datatype), date(end, datatype)))
