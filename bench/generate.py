"""Seeded generator of realistic synthetic OSCARTES data for the benchmark (N-Quads or TriG).

Usage: ``python bench/generate.py --organisations 100000 --seed 42 -o bench.nq``

Everything is fictional: communes have made-up names and INSEE codes 91700-91999 (real Essonne
codes stop below 91700), SIREN numbers fail the Luhn check (so none is a real company's), web
sites and e-mails use the reserved domain example.org. The same seed gives byte-identical output:
one ``random.Random(seed)``, lists only (never set iteration order), no clock.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
import unicodedata
from pathlib import Path
from random import Random
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
THESAURI_DIR = ROOT / "ontology" / "thesauri"

OSC = "https://w3id.org/oscartes/ns#"
ID = "https://w3id.org/oscartes/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
GRAPH_BENCH = "<https://w3id.org/oscartes/graph/bench>"
GRAPH_CONTACTS = "<https://w3id.org/oscartes/graph/private/contacts>"
LICENCE = "<https://creativecommons.org/licenses/by-sa/4.0/>"
COLLECTIVE = f"<{ID}organisation/oscartes>"


def _iri(text: str) -> str:
    """Wrap an IRI in angle brackets (generated IRIs need no escaping)."""
    return f"<{text}>"


def _osc(name: str) -> str:
    """Return the bracketed IRI of an osc: term."""
    return f"<{OSC}{name}>"


RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
DESCRIPTION = "<http://purl.org/dc/terms/description>"
DATE = "<http://purl.org/dc/terms/date>"
LICENSE = "<http://purl.org/dc/terms/license>"
CREATOR = "<http://purl.org/dc/terms/creator>"
MEMBER_OF = "<http://www.w3.org/ns/org#memberOf>"
LAT = "<http://www.w3.org/2003/01/geo/wgs84_pos#lat>"
LONG = "<http://www.w3.org/2003/01/geo/wgs84_pos#long>"
SDO = "http://schema.org/"
URL, EMAIL = f"<{SDO}url>", f"<{SDO}email>"
START, END = f"<{SDO}startDate>", f"<{SDO}endDate>"
ORGANIZER, FUNDER = f"<{SDO}organizer>", f"<{SDO}funder>"
VALID_FROM, VALID_THROUGH = f"<{SDO}validFrom>", f"<{SDO}validThrough>"
SKOS = "http://www.w3.org/2004/02/skos/core#"

CRITERIA = [
    "independance",
    "reponse-crise-systemique",
    "poursuite-des-communs",
    "refus-violence-discrimination",
    "ouverture-partage",
]

# Essonne bounding box required by the brief (lat 48.28-48.78, long 1.91-2.59).
LAT_MIN, LAT_MAX, LONG_MIN, LONG_MAX = 48.28, 48.78, 1.91, 2.59

# --------------------------------------------------------------------------- escaping


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def nquad_literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """Return an N-Triples literal: escape \\ " newline and carriage return (RDF 1.1 N-Triples §2.3)."""
    body = '"' + text.translate(_ESCAPES) + '"'
    if lang:
        return f"{body}@{lang}"
    if datatype:
        return f"{body}^^<{datatype}>"
    return body


def _fr(text: str) -> str:
    """French literal."""
    return nquad_literal(text, lang="fr")


def _typed(text: str, xsd_name: str) -> str:
    """Typed literal whose lexical form needs no escaping (dates, numbers, codes)."""
    return f'"{text}"^^<{XSD}{xsd_name}>'


def slugify(text: str, limit: int = 80) -> str:
    """Lower-case ASCII slug with hyphens, as the IRI contract asks."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


class Namer:
    """Hands out unique slugs (and optionally unique labels) by appending a number when needed."""

    def __init__(self, unique_labels: bool) -> None:
        """Start with no name used."""
        self.unique_labels = unique_labels
        self.used: dict[str, int] = {}

    def name(self, label: str) -> tuple[str, str]:
        """Return (label, slug), both made unique with a number suffix if the slug is taken."""
        slug = slugify(label)
        if slug not in self.used:
            self.used[slug] = 1
            return label, slug
        k = self.used[slug]
        while True:
            k += 1
            candidate = f"{slug}-{k}"
            if candidate not in self.used:
                break
        self.used[slug] = k
        self.used[candidate] = 1
        return (f"{label} {k}" if self.unique_labels else label), candidate


# --------------------------------------------------------------------------- French phrasing

_VOWELS = "AEIOUYÉÈÊÀÂÎÔÛaeiouyéèêàâîôû"


def de(name: str) -> str:
    """French 'de' + name with elision and contraction: d'Étampes, du Plessis, des Ulis."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[0] in _VOWELS:
        return "d'" + name
    return "de " + name


def a(name: str) -> str:
    """French 'à' + name with contraction: au Plessis, aux Ulis."""
    if name.startswith("Le "):
        return "au " + name[3:]
    if name.startswith("Les "):
        return "aux " + name[4:]
    return "à " + name


COMMUNE_BASES = [
    "Saint-Aubin", "Saint-Léger", "Saint-Éloi", "Sainte-Hélène", "Villebois", "Villecourt",
    "Montfleury", "Bois-Joly", "Champmoulin", "Orvilliers", "Étrelles", "Igny-Val", "Auvernay",
    "Le Plessis-Fleury", "Les Essarts-Verts", "Le Mesnil-Orée", "Vauxcelles", "Boissière",
    "Fontenay-Joli", "Marolles-Neuves", "Chantecoq", "Brières", "Courmoulin", "Ormeaux",
    "Les Granges-Basses", "Lardenay", "Morsainville", "Saulxières", "Boutigny-Vieux", "Ézanville",
    "Janvrelles", "Roinvillette", "Puiselay", "Cerny-Clair", "Valpuiseaux-Haut",
]
COMMUNE_SUFFIXES = [
    "", "-sur-Orge", "-sur-Juine", "-sur-Essonne", "-sur-Yvette", "-sur-Rémarde", "-en-Hurepoix",
    "-le-Château", "-la-Forêt", "-les-Vignes", "-le-Grand", "-le-Petit", "-la-Rivière",
]

# (after "de", with article) -> (standalone, with article); keywords pick matching themes.
TOPICS = [
    ("des Jardins partagés", "Les Jardins partagés", "jardin agricult aliment"),
    ("de l'Épicerie solidaire", "L'Épicerie solidaire", "aliment solidar"),
    ("du Repair Café", "Le Repair Café", "repar dechet circulaire"),
    ("de la Ressourcerie", "La Ressourcerie", "dechet reemploi circulaire"),
    ("des Amis de la Forêt", "Les Amis de la Forêt", "biodiversit nature foret"),
    ("de l'Atelier vélo", "L'Atelier vélo", "mobilit velo"),
    ("de la Grainothèque", "La Grainothèque", "biodiversit semence jardin"),
    ("de l'AMAP", "L'AMAP", "amap circuits aliment"),
    ("du Compost collectif", "Le Compost collectif", "dechet compost"),
    ("de l'Énergie citoyenne", "L'Énergie citoyenne", "energie climat"),
    ("de la Maison du vélo", "La Maison du vélo", "mobilit velo"),
    ("du Tiers-lieu", "Le Tiers-lieu", "tiers culture"),
    ("de la Recyclerie", "La Recyclerie", "dechet reemploi"),
    ("du Café associatif", "Le Café associatif", "culture solidar"),
    ("de la Cantine solidaire", "La Cantine solidaire", "aliment solidar"),
    ("des Habitants en transition", "Les Habitants en transition", "transition climat"),
    ("de l'Éco-quartier", "L'Éco-quartier", "habitat urban"),
    ("du Potager urbain", "Le Potager urbain", "jardin aliment"),
    ("de la Monnaie locale", "La Monnaie locale", "economi monnaie"),
    ("de l'Habitat partagé", "L'Habitat partagé", "habitat logement"),
    ("des Ruches urbaines", "Les Ruches urbaines", "biodiversit abeille"),
    ("de l'Entraide numérique", "L'Entraide numérique", "numerique inclusion"),
    ("du Jardin des possibles", "Le Jardin des possibles", "jardin education"),
    ("de la Friperie solidaire", "La Friperie solidaire", "textile reemploi solidar"),
    ("de l'Éducation populaire", "L'Éducation populaire", "education culture"),
    ("du Marché paysan", "Le Marché paysan", "circuits paysan"),
    ("de la Fabrique à projets", "La Fabrique à projets", "economi social"),
    ("des Mobilités douces", "Les Mobilités douces", "mobilit"),
    ("de l'Eau vive", "L'Eau vive", "eau riviere"),
    ("des Vergers conservatoires", "Les Vergers conservatoires", "biodiversit verger"),
    ("de la Boutique sans argent", "La Boutique sans argent", "reemploi solidar"),
    ("du Fablab", "Le Fablab", "numerique fabrication"),
    ("de la Bricothèque", "La Bricothèque", "reemploi reparation"),
    ("de l'Accueil des exilés", "L'Accueil des exilés", "solidar migra exile accueil"),
    ("de la Solidarité paysanne", "La Solidarité paysanne", "agricult solidar"),
    ("de la Ludothèque", "La Ludothèque", "culture education"),
    ("des Énergies renouvelables", "Les Énergies renouvelables", "energie"),
    ("de l'Alimentation durable", "L'Alimentation durable", "aliment"),
    ("du Chantier nature", "Le Chantier nature", "biodiversit nature"),
    ("de la Vélo-école", "La Vélo-école", "mobilit education"),
]
QUARTERS = [
    "des Tilleuls", "du Centre", "de la Gare", "des Coteaux", "du Moulin", "des Prés",
    "du Vieux Bourg", "de la Vallée", "des Bords de l'Orge", "du Parc", "des Sablons",
    "de la Butte", "des Aulnes", "du Lavoir", "de l'Église", "des Vignes", "du Château d'eau",
]

# class, share, name templates ({de} topic after "de", {bare} topic, {C} "de commune", {Q} quarter)
ORG_CLASSES = [
    ("Association", 45, ["Association {de} {C}", "Association citoyenne {de} {Q} {C}",
                         "Association {de} {Q} {C}", "Union locale {de} {C}",
                         "Les Amis {de} {Q} {C}", "Maison {de} {Q} {C}"]),
    ("Cooperative", 7, ["Coopérative {bare} {C}", "SCIC {bare} {C}", "SCOP {bare} {C}"]),
    ("SocialEconomyEnterprise", 7, ["Entreprise solidaire {bare} {C}",
                                    "Chantier d'insertion {bare} {C}", "Régie {Q} {C}"]),
    ("LocalAuthority", 4, ["Ville {C} – {service}", "Syndicat intercommunal {de} {C}"]),
    ("PublicBody", 6, ["{public} {C}", "{public} {Q} {C}"]),
    ("Company", 16, ["{trade} {Q} {C}", "{trade} {bare} {C}"]),
    ("InformalCollective", 15, ["Collectif {de} {C}", "Groupe citoyen {de} {Q} {C}",
                                "Collectif {de} {Q} {C}", "Réseau {de} {C}"]),
]
SERVICES = ["transition écologique", "vie associative", "développement durable", "espaces verts",
            "jeunesse et citoyenneté", "économie sociale et solidaire", "démocratie participative"]
PUBLICS = ["Médiathèque", "Centre social", "Lycée agricole", "Collège", "Maison de quartier",
           "Maison de l'environnement", "Conservatoire", "Office de tourisme", "Maison des jeunes"]
TRADES = ["Ferme", "Boulangerie", "Brasserie", "Bureau d'études", "Épicerie", "Librairie",
          "Atelier", "Menuiserie", "Maraîcher", "Torréfaction", "Imprimerie", "Café-restaurant"]

ACTIVITIES = [
    "cultive des potagers en commun et partage les récoltes",
    "répare vélos, grille-pain et ordinateurs plutôt que de les jeter",
    "collecte les invendus alimentaires et les redistribue",
    "anime des ateliers de compostage et de jardinage au naturel",
    "soutient les producteurs locaux en circuit court",
    "accompagne les habitants vers la sobriété énergétique",
    "organise des chantiers participatifs de rénovation",
    "propose des cours de français et un accompagnement administratif",
    "préserve les mares, les haies et les vergers de la commune",
    "fait vivre un lieu ouvert où l'on cuisine, joue et débat",
    "donne une seconde vie aux vêtements, meubles et livres",
    "développe l'autopartage et le covoiturage entre voisins",
    "forme aux outils numériques libres et à la sécurité en ligne",
    "produit une électricité renouvelable détenue par les habitants",
]
AUDIENCES = ["aux familles", "aux jeunes de 15 à 25 ans", "aux retraités", "aux écoles",
             "à tous les habitants", "aux personnes isolées", "aux nouveaux arrivants",
             "aux agriculteurs", "aux associations voisines", "aux demandeurs d'emploi"]
RHYTHMS = ["chaque samedi matin", "un mercredi sur deux", "tous les premiers dimanches du mois",
           "pendant les vacances scolaires", "toute l'année", "au printemps et en automne"]
SLOGANS = ["Réparer plutôt que jeter", "Cultiver ensemble", "Le climat, c'est nous",
           "Ici, on partage", "Moins de biens, plus de liens", "Manger local, c'est vital"]

INITIATIVE_KINDS = [
    "Jardin partagé", "Composteur de quartier", "Repair Café", "Atelier d'autoréparation de vélos",
    "Épicerie solidaire", "Grainothèque", "Boîte à livres", "Fresque du climat",
    "Cantine zéro déchet", "Centrale solaire citoyenne", "Frigo solidaire", "Verger partagé",
    "Pédibus", "Ressourcerie éphémère", "Marché de producteurs", "Atelier couture",
    "Système d'échange local", "Café des langues", "Forêt urbaine", "Défi Familles zéro déchet",
]
EVENT_KINDS = ["Atelier compostage", "Repair Café", "Fête des jardins", "Conférence sur la sobriété",
               "Bourse aux plantes", "Balade nature", "Ciné-débat", "Formation premiers secours",
               "Chantier participatif", "Troc de graines", "Assemblée citoyenne", "Marché paysan",
               "Fresque du climat", "Vélo-parade", "Journée portes ouvertes"]
COMMONS_KINDS = [("Grainothèque", "des semences reproductibles"),
                 ("Jardin partagé", "une parcelle cultivée en commun"),
                 ("Outilthèque", "des outils de jardinage et de bricolage"),
                 ("Base de recettes libres", "des recettes sous licence libre"),
                 ("Four à pain collectif", "un four à bois"),
                 ("Carte des arbres fruitiers", "une carte collaborative des fruitiers"),
                 ("Centrale solaire", "des panneaux photovoltaïques"),
                 ("Bibliothèque d'objets", "des objets prêtés entre voisins")]
GOVERNANCE = ["assemblée mensuelle des usagers, décisions au consentement",
              "collège des contributeurs élu chaque année", "charte d'usage et comité de gestion",
              "gouvernance partagée entre habitants, association et mairie"]
RESOURCE_KINDS = [("Guide", "Guide pratique"), ("Training", "Formation"),
                  ("MethodSheet", "Fiche méthode")]
RESOURCE_SUBJECTS = ["du compostage partagé", "de la réparation de vélos", "de l'épicerie solidaire",
                     "de la gouvernance partagée", "de l'animation d'un Repair Café",
                     "du jardinage au naturel", "de la sobriété énergétique", "des chantiers participatifs",
                     "de l'accueil des bénévoles", "du financement participatif"]
FIRST_NAMES = ["Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Zoé", "Emma", "Sarah",
               "Hélène", "Anaïs", "Maëlle", "Océane", "Élodie", "Noémie", "Lucas", "Hugo", "Louis",
               "Nathan", "Théo", "Jules", "Raphaël", "Mathis", "Enzo", "Noé", "Gaël", "Jérôme",
               "François", "Benoît", "Grégoire", "Loïc", "Karim", "Yasmine", "Moussa", "Aïcha"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
              "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David",
              "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
              "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure",
              "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin"]
CONSENT_SCOPES = ["nom, structure et compétences", "nom et structure", "nom, structure, compétences "
                  "et commune"]
CONSENT_METHODS = ["formulaire en ligne avec case à cocher", "formulaire papier signé",
                   "courriel de confirmation"]

# Fallback concepts, used only while ontology/thesauri/*.ttl does not exist yet.
FALLBACK_CONCEPTS = {
    "themes": [("alimentation", "Alimentation"), ("agriculture", "Agriculture"),
               ("biodiversite", "Biodiversité"), ("dechets", "Déchets"),
               ("economie-circulaire", "Économie circulaire"), ("energie", "Énergie"),
               ("mobilite", "Mobilité"), ("habitat", "Habitat"), ("eau", "Eau"),
               ("solidarite", "Solidarité"), ("education", "Éducation"), ("culture", "Culture"),
               ("numerique", "Numérique"),
               ("economie-sociale-solidaire", "Économie sociale et solidaire")],
    "competences": [("animation", "Animation"), ("jardinage", "Jardinage"),
                    ("comptabilite", "Comptabilité"), ("communication", "Communication"),
                    ("informatique", "Informatique"), ("bricolage", "Bricolage"),
                    ("gestion-de-projet", "Gestion de projet"), ("juridique", "Juridique"),
                    ("cuisine", "Cuisine"), ("formation", "Formation")],
    "need-offer-kinds": [("benevolat", "Bénévolat"), ("stage", "Stage"),
                         ("competence", "Compétence"), ("local", "Local"),
                         ("materiel", "Matériel"), ("bonne-adresse", "Bonne adresse"),
                         ("partenaire-financier", "Partenaire financier")],
}
FALLBACK_KIND = {"themes": "theme", "competences": "competence",
                 "need-offer-kinds": "need-offer-kind"}


# --------------------------------------------------------------------------- concepts


def load_concepts(thesauri_dir: Path = THESAURI_DIR) -> dict[str, list[tuple[str, str]]]:
    """Read (IRI, French label) of themes, competences and need-offer kinds, sorted by IRI.

    Prefers the real thesauri; falls back to contract-like IRIs per scheme missing from them.
    """
    found: dict[str, list[tuple[str, str]]] = {}
    files = sorted(thesauri_dir.glob("*.ttl")) if thesauri_dir.is_dir() else []
    if files:
        found = _concepts_from_files(files)
    result = {}
    for scheme, pairs in FALLBACK_CONCEPTS.items():
        result[scheme] = found.get(scheme) or sorted(
            (f"{ID}{FALLBACK_KIND[scheme]}/{slug}", label) for slug, label in pairs)
    return result


def _concepts_from_files(files: list[Path]) -> dict[str, list[tuple[str, str]]]:
    """Query the thesauri files with pyoxigraph for concepts grouped by scheme name."""
    import pyoxigraph as ox

    store = ox.Store()
    for path in files:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    query = f"""
        PREFIX skos: <{SKOS}>
        SELECT ?scheme ?c (SAMPLE(?fr) AS ?label) WHERE {{
          ?c skos:inScheme ?scheme .
          OPTIONAL {{ ?c skos:prefLabel ?fr FILTER(langMatches(lang(?fr), "fr")) }}
        }} GROUP BY ?scheme ?c"""
    found: dict[str, list[tuple[str, str]]] = {}
    for row in store.query(query):
        scheme = row["scheme"].value.rsplit("/", 1)[-1]
        iri = row["c"].value
        label = row["label"].value if row["label"] is not None else iri.rsplit("/", 1)[-1]
        found.setdefault(scheme, []).append((iri, label))
    return {scheme: sorted(items) for scheme, items in found.items()}


def _fold(text: str) -> str:
    """Lower-case ASCII form of a label, for keyword matching."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def topic_themes(themes: list[tuple[str, str]]) -> list[list[str]]:
    """For each topic, the themes with a word of label or IRI starting with a keyword (else all)."""
    all_iris = [iri for iri, _ in themes]
    words_of = [(iri, re.split(r"[^a-z]+", _fold(label) + " " + iri.rsplit("/", 1)[-1]))
                for iri, label in themes]
    result = []
    for _, _, keywords in TOPICS:
        keys = keywords.split()
        hits = [iri for iri, words in words_of if any(w.startswith(k) for w in words for k in keys)]
        result.append(hits or all_iris)
    return result


# --------------------------------------------------------------------------- output


class QuadWriter:
    """Buffers lines and writes them as N-Quads or TriG; persons' e-mails go to the private graph."""

    def __init__(self, out: TextIO, fmt: str) -> None:
        """Open the public graph block (TriG) and start counting."""
        if fmt not in ("nquads", "trig"):
            raise ValueError(f"unknown format {fmt!r}: use 'nquads' or 'trig'")
        self.out, self.fmt = out, fmt
        self.end = f" {GRAPH_BENCH} .\n" if fmt == "nquads" else " .\n"
        self.private_end = f" {GRAPH_CONTACTS} .\n" if fmt == "nquads" else " .\n"
        self.lines: list[str] = []
        self.private: list[str] = []
        self.quads = 0
        self.counts: dict[str, int] = {}
        if fmt == "trig":
            out.write(f"{GRAPH_BENCH} {{\n")

    def add(self, s: str, p: str, o: str) -> None:
        """Queue one triple of the public benchmark graph."""
        self.lines.append(f"{s} {p} {o}{self.end}")
        if len(self.lines) >= 65536:
            self.flush()

    def typed(self, s: str, cls: str) -> None:
        """Queue an rdf:type triple with an osc: class and count the instance."""
        self.add(s, RDF_TYPE, _osc(cls))
        key = f"osc:{cls}"
        self.counts[key] = self.counts.get(key, 0) + 1

    def add_private(self, s: str, p: str, o: str) -> None:
        """Queue one triple of the private contacts graph (GDPR: contact data never public)."""
        self.private.append(f"{s} {p} {o}{self.private_end}")

    def flush(self) -> None:
        """Write the queued public lines."""
        self.quads += len(self.lines)
        self.out.write("".join(self.lines))
        self.lines.clear()

    def close(self) -> None:
        """Write what is queued, then the private graph, closing TriG blocks."""
        self.flush()
        if self.fmt == "trig":
            self.out.write("}\n")
            if self.private:
                self.out.write(f"{GRAPH_CONTACTS} {{\n")
        self.out.write("".join(self.private))
        if self.fmt == "trig" and self.private:
            self.out.write("}\n")
        self.quads += len(self.private)


# --------------------------------------------------------------------------- values

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]


def _decimal(value: float) -> str:
    """xsd:decimal with 5 decimals."""
    return _typed(f"{value:.5f}", "decimal")


def _day(rng: Random, first: dt.date, last: dt.date) -> dt.date:
    """A random day between first and last included."""
    return dt.date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def _paris_offset(day: dt.date) -> str:
    """UTC offset of Europe/Paris on a day (EU summer time: last Sunday of March to October)."""
    def last_sunday(month: int) -> dt.date:
        d = dt.date(day.year, month, 31)
        return d - dt.timedelta(days=(d.weekday() + 1) % 7)
    return "+02:00" if last_sunday(3) <= day < last_sunday(10) else "+01:00"


def _datetime(moment: dt.datetime) -> str:
    """xsd:dateTime literal in Paris local time with its offset."""
    return _typed(moment.strftime("%Y-%m-%dT%H:%M:00") + _paris_offset(moment.date()), "dateTime")


def _date(day: dt.date) -> str:
    """xsd:date literal."""
    return _typed(day.isoformat(), "date")


def _french_date(day: dt.date) -> str:
    """'14 mars 2026'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def fake_siren(rng: Random) -> str:
    """Nine digits that fail the Luhn check, so they can never be a real SIREN."""
    while True:
        digits = f"{rng.randrange(10**8, 10**9):09d}"
        total = 0
        for i, ch in enumerate(reversed(digits)):
            n = int(ch) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10:
            return digits


# --------------------------------------------------------------------------- generator

CALL_TITLES = ["Transition alimentaire", "Tiers-lieux", "Mobilités douces", "Biodiversité en ville",
               "Économie circulaire", "Solidarités locales", "Énergie citoyenne", "Jardins partagés",
               "Jeunesse et climat", "Réemploi et réparation"]
STRUCTURE_WORDS = {"Association": "l'association", "Cooperative": "la coopérative",
                   "SocialEconomyEnterprise": "l'entreprise", "LocalAuthority": "la collectivité",
                   "PublicBody": "l'établissement", "Company": "l'entreprise",
                   "InformalCollective": "le collectif"}
REVIEWERS = 5


class Generator:
    """Generates every kind of entity in order, drawing all randomness from one seeded Random."""

    def __init__(self, organisations: int, seed: int, writer: QuadWriter,
                 progress: TextIO | None = None) -> None:
        """Prepare concepts, namers and the empty entity tables."""
        self.n = organisations
        self.rng = Random(seed)
        self.w = writer
        self.progress = progress
        concepts = load_concepts()
        self.themes = concepts["themes"]
        self.competences = concepts["competences"]
        self.kinds = concepts["need-offer-kinds"]
        self.topic_themes = topic_themes(self.themes)
        self.communes: list[tuple[str, str, float, float]] = []  # iri, name, lat, long
        self.orgs: list[tuple[str, str, int, int, str]] = []  # iri, label, commune, topic, class
        self.reviewers: list[str] = []
        self.commons: list[str] = []
        self.resources: list[str] = []
        self.sirens: dict[str, bool] = {}

    def say(self, message: str) -> None:
        """Progress line on stderr (or wherever asked)."""
        if self.progress is not None:
            print(message, file=self.progress, flush=True)

    def run(self) -> None:
        """Generate everything, in an order where references always point backwards."""
        self.territories()
        self.collective()
        self.organisations()
        self.commons_and_resources(max(3, round(self.n * 0.003)))
        self.persons(round(self.n * 0.3))
        self.initiatives(round(self.n * 0.5))
        self.events(round(self.n * 0.3))
        self.calls(max(1, round(self.n * 0.02)))
        self.needs_offers("Need", round(self.n * 0.2))
        self.needs_offers("Offer", round(self.n * 0.2))

    # -- territories and the collective

    def territories(self, count: int = 200) -> None:
        """Fictional communes with unique fake INSEE codes 91700-91999 and centroids in Essonne."""
        rng, w = self.rng, self.w
        names = [b + s for b in COMMUNE_BASES for s in COMMUNE_SUFFIXES]
        codes = rng.sample(range(91700, 92000), count)
        dept = _iri(f"{ID}territory/departement-91")
        w.typed(dept, "Departement")
        w.add(dept, LABEL, _fr("Essonne"))
        w.add(dept, _osc("inseeCode"), nquad_literal("91"))
        for name, code in zip(rng.sample(names, count), codes):
            iri = _iri(f"{ID}territory/commune-{code}")
            lat = rng.uniform(LAT_MIN + 0.03, LAT_MAX - 0.03)
            lon = rng.uniform(LONG_MIN + 0.03, LONG_MAX - 0.03)
            w.typed(iri, "Commune")
            w.add(iri, LABEL, _fr(name))
            w.add(iri, _osc("inseeCode"), nquad_literal(str(code)))
            w.add(iri, LAT, _decimal(lat))
            w.add(iri, LONG, _decimal(lon))
            w.add(iri, _osc("partOf"), dept)
            self.communes.append((iri, name, lat, lon))

    def collective(self) -> None:
        """The OSCARTES collective itself, which reviewers are members of."""
        w = self.w
        w.typed(COLLECTIVE, "InformalCollective")
        w.add(COLLECTIVE, LABEL, _fr("OSCARTES"))
        w.add(COLLECTIVE, DESCRIPTION, _fr(
            "Outils et Services Coopératifs des Acteurs Régionaux pour la Transition Écologique "
            "et Sociale : collectif d'acteurs de la transition en Essonne."))

    # -- organisations

    def organisations(self) -> None:
        """N organisations of every status; the first few are the collective's charter reviewers."""
        namer = Namer(unique_labels=True)
        classes = [c for c, _, _ in ORG_CLASSES]
        weights = []
        for _, share, _ in ORG_CLASSES:
            weights.append((weights[-1] if weights else 0) + share)
        step = max(1, self.n // 10)
        for i in range(self.n):
            cls = "Association" if i < REVIEWERS else self.rng.choices(classes, cum_weights=weights)[0]
            self.organisation(i, cls, namer)
            if (i + 1) % step == 0:
                self.say(f"organisations {i + 1}/{self.n}")

    def org_label(self, cls: str, commune: str, topic: int) -> str:
        """A French name built from the status's templates."""
        rng = self.rng
        templates = next(t for c, _, t in ORG_CLASSES if c == cls)
        de_form, bare, _ = TOPICS[topic]
        return rng.choice(templates).format(
            de=de_form, bare=bare, C=de(commune), Q=rng.choice(QUARTERS),
            service=rng.choice(SERVICES), public=rng.choice(PUBLICS), trade=rng.choice(TRADES))

    def description(self, subject: str, commune: str) -> str:
        """40-300 characters of French prose, sometimes with quotes or a line break."""
        rng = self.rng
        parts = [f"Basée {a(commune)}, {subject} {rng.choice(ACTIVITIES)}.",
                 f"Ses activités s'adressent {rng.choice(AUDIENCES)}, {rng.choice(RHYTHMS)}."]
        roll = rng.random()
        if roll < 0.1:
            parts.append(f'Notre mot d\'ordre : "{rng.choice(SLOGANS)}".')
        elif roll < 0.5:
            parts.append(f"Devise : « {rng.choice(SLOGANS)} ».")
        text = ("\n" if rng.random() < 0.05 else " ").join(parts)
        while len(text) > 300:
            parts.pop()
            text = " ".join(parts)
        return text

    def org_themes(self, topic: int) -> list[str]:
        """1-3 themes matching the topic, sometimes one more so every theme gets used."""
        rng = self.rng
        themes = self.topic_themes[topic]
        chosen = rng.sample(themes, min(len(themes), rng.randint(1, 3)))
        extra = rng.choice(self.themes)[0]
        if len(chosen) < 3 and rng.random() < 0.15 and extra not in chosen:
            chosen.append(extra)
        return chosen

    def organisation(self, i: int, cls: str, namer: Namer) -> None:
        """One organisation with label, description, themes, competences, place and identifiers."""
        rng, w = self.rng, self.w
        c = rng.randrange(len(self.communes))
        commune_iri, commune, clat, clon = self.communes[c]
        topic = rng.randrange(len(TOPICS))
        label, slug = namer.name(self.org_label(cls, commune, topic))
        iri = _iri(f"{ID}organisation/{slug}")
        w.typed(iri, cls)
        w.add(iri, LABEL, _fr(label))
        w.add(iri, DESCRIPTION, _fr(self.description(STRUCTURE_WORDS[cls], commune)))
        for theme in self.org_themes(topic):
            w.add(iri, _osc("theme"), _iri(theme))
        for comp, _ in rng.sample(self.competences, rng.randint(0, 3)):
            w.add(iri, _osc("competence"), _iri(comp))
        w.add(iri, _osc("commune"), commune_iri)
        lat = min(LAT_MAX, max(LAT_MIN, clat + rng.gauss(0, 0.01)))
        lon = min(LONG_MAX, max(LONG_MIN, clon + rng.gauss(0, 0.015)))
        w.add(iri, LAT, _decimal(lat))
        w.add(iri, LONG, _decimal(lon))
        if rng.random() < 0.5:
            w.add(iri, URL, _typed(f"https://example.org/{slug}", "anyURI"))
        if cls != "InformalCollective" and rng.random() < 0.4:
            w.add(iri, _osc("siren"), nquad_literal(self.unique_siren()))
        if i < REVIEWERS or rng.random() < 0.05:
            w.add(iri, MEMBER_OF, COLLECTIVE)
            if i < REVIEWERS:
                self.reviewers.append(iri)
        if self.orgs and rng.random() < 0.08:
            w.add(iri, _osc("partnerOf"), rng.choice(self.orgs)[0])
        self.orgs.append((iri, label, c, topic, cls))

    def unique_siren(self) -> str:
        """A fake SIREN not yet used."""
        while True:
            siren = fake_siren(self.rng)
            if siren not in self.sirens:
                self.sirens[siren] = True
                return siren

    # -- commons, knowledge resources, persons

    def commons_and_resources(self, count: int) -> None:
        """A few hundred commons and knowledge resources, stewarded or written by organisations."""
        rng, w = self.rng, self.w
        commons_namer, resource_namer = Namer(False), Namer(False)
        for _ in range(count):
            org_iri, org_label, c, topic, _ = rng.choice(self.orgs)
            commune_iri, commune = self.communes[c][:2]
            kind, shared = rng.choice(COMMONS_KINDS)
            label, slug = commons_namer.name(f"{kind} {rng.choice(QUARTERS)} {a(commune)}")
            iri = _iri(f"{ID}commons/{slug}")
            w.typed(iri, "Commons")
            w.add(iri, LABEL, _fr(label))
            w.add(iri, DESCRIPTION, _fr(f"Commun géré par {org_label} : {shared} ouverts à tous."))
            w.add(iri, _osc("sharedResource"), _fr(shared))
            w.add(iri, _osc("governance"), _fr(rng.choice(GOVERNANCE)))
            w.add(iri, LICENSE, LICENCE)
            w.add(iri, _osc("steward"), org_iri)
            w.add(iri, _osc("theme"), _iri(rng.choice(self.topic_themes[topic])))
            w.add(iri, _osc("commune"), commune_iri)
            self.commons.append(iri)
        for _ in range(count):
            org_iri, org_label, _, topic, _ = rng.choice(self.orgs)
            cls, title = rng.choice(RESOURCE_KINDS)
            subject = rng.choice(RESOURCE_SUBJECTS)
            label, slug = resource_namer.name(f"{title} {subject}")
            iri = _iri(f"{ID}resource/{slug}")
            w.typed(iri, cls)
            w.add(iri, LABEL, _fr(label))
            w.add(iri, DESCRIPTION, _fr(
                f"{title} {subject}, rédigé par {org_label} à partir de son expérience de terrain."))
            w.add(iri, CREATOR, org_iri)
            w.add(iri, LICENSE, LICENCE)
            w.add(iri, _osc("theme"), _iri(rng.choice(self.topic_themes[topic])))
            self.resources.append(iri)

    def persons(self, count: int) -> None:
        """Persons published with their recorded consent; e-mails only in the private graph."""
        rng, w = self.rng, self.w
        namer = Namer(False)
        for _ in range(count):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            _, slug = namer.name(name)
            iri = _iri(f"{ID}person/{slug}")
            consent = _iri(f"{ID}consent/{slug}")
            w.typed(iri, "Person")
            w.add(iri, LABEL, nquad_literal(name))
            w.add(iri, MEMBER_OF, rng.choice(self.orgs)[0])
            for comp, _ in rng.sample(self.competences, rng.randint(0, 2)):
                w.add(iri, _osc("competence"), _iri(comp))
            w.add(iri, _osc("consent"), consent)
            w.typed(consent, "Consent")
            w.add(consent, DATE, _date(_day(rng, dt.date(2023, 1, 1), dt.date(2026, 6, 30))))
            w.add(consent, _osc("consentScope"), _fr(rng.choice(CONSENT_SCOPES)))
            w.add(consent, _osc("consentMethod"), _fr(rng.choice(CONSENT_METHODS)))
            w.add_private(iri, EMAIL, nquad_literal(f"{slug.replace('-', '.')}@example.org"))

    # -- initiatives and their charter reviews

    def initiatives(self, count: int) -> None:
        """Initiatives carried by organisations, each with an approved five-criterion review."""
        rng, w = self.rng, self.w
        namer = Namer(False)
        for _ in range(count):
            org_iri, org_label, c, topic, _ = rng.choice(self.orgs)
            if rng.random() < 0.2:
                c = rng.randrange(len(self.communes))
            commune_iri, commune = self.communes[c][:2]
            kind = rng.choice(INITIATIVE_KINDS)
            label, slug = namer.name(f"{kind} {rng.choice(QUARTERS)} {a(commune)}")
            iri = _iri(f"{ID}initiative/{slug}")
            start = _day(rng, dt.date(2015, 1, 1), dt.date(2026, 12, 31))
            w.typed(iri, "Initiative")
            w.add(iri, LABEL, _fr(label))
            w.add(iri, DESCRIPTION, _fr(
                f"Initiative lancée en {start.year} {a(commune)} par {org_label}. "
                f"Ouverte {rng.choice(AUDIENCES)}, {rng.choice(RHYTHMS)}."))
            w.add(iri, _osc("carriedBy"), org_iri)
            themes = self.topic_themes[topic]
            for theme in rng.sample(themes, min(len(themes), rng.randint(1, 2))):
                w.add(iri, _osc("theme"), _iri(theme))
            w.add(iri, _osc("commune"), commune_iri)
            w.add(iri, START, _date(start))
            if rng.random() < 0.1:
                w.add(iri, _osc("contributesTo"), rng.choice(self.commons))
            if rng.random() < 0.1:
                w.add(iri, _osc("usesResource"), rng.choice(self.resources))
            self.review(iri, slug)

    def review(self, initiative: str, slug: str) -> None:
        """An approved charter review by a member of the collective, one affirmed verdict per criterion."""
        rng, w = self.rng, self.w
        review = f"{ID}review/{slug}"
        w.add(initiative, _osc("hasCharterReview"), _iri(review))
        w.typed(_iri(review), "CharterReview")
        w.add(_iri(review), _osc("reviewer"), rng.choice(self.reviewers))
        w.add(_iri(review), DATE, _date(_day(rng, dt.date(2023, 1, 1), dt.date(2026, 6, 30))))
        w.add(_iri(review), _osc("reviewOutcome"), _osc("approved"))
        for criterion in CRITERIA:
            verdict = _iri(f"{review}-{criterion}")
            w.add(_iri(review), _osc("criterionVerdict"), verdict)
            w.typed(verdict, "CriterionVerdict")
            w.add(verdict, _osc("criterion"), _iri(f"{ID}criterion/{criterion}"))
            w.add(verdict, _osc("verdict"), _osc("affirmed"))

    # -- agenda, watch, needs and offers

    def event_times(self) -> tuple[dt.date, dt.datetime, dt.datetime]:
        """A day in 2024-2028 and a start and end (1-4 hours, or 1-3 days) with end >= start."""
        rng = self.rng
        day = _day(rng, dt.date(2024, 1, 1), dt.date(2028, 12, 31))
        start = dt.datetime(day.year, day.month, day.day, rng.randint(8, 20), rng.choice((0, 15, 30, 45)))
        if rng.random() < 0.8:
            end = start + dt.timedelta(minutes=rng.choice((60, 90, 120, 180, 240)))
        else:
            end = start + dt.timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 4))
        return day, start, end

    def events(self, count: int) -> None:
        """Events spread over 2024-2028 (many upcoming), with start <= end in Paris time."""
        rng, w = self.rng, self.w
        namer = Namer(False)
        for _ in range(count):
            org_iri, org_label, c, topic, _ = rng.choice(self.orgs)
            if rng.random() < 0.3:
                c = rng.randrange(len(self.communes))
            commune_iri, commune = self.communes[c][:2]
            day, start, end = self.event_times()
            kind = rng.choice(EVENT_KINDS)
            label, slug = namer.name(f"{kind} {a(commune)} – {MONTHS[day.month - 1]} {day.year}")
            iri = _iri(f"{ID}event/{slug}")
            w.typed(iri, "Event")
            w.add(iri, LABEL, _fr(label))
            w.add(iri, DESCRIPTION, _fr(
                f"Rendez-vous proposé par {org_label} le {_french_date(day)}. "
                f"Entrée libre, ouvert {rng.choice(AUDIENCES)}."))
            w.add(iri, START, _datetime(start))
            w.add(iri, END, _datetime(end))
            w.add(iri, ORGANIZER, org_iri)
            w.add(iri, _osc("commune"), commune_iri)
            themes = self.topic_themes[topic]
            for theme in rng.sample(themes, min(len(themes), rng.randint(1, 2))):
                w.add(iri, _osc("theme"), _iri(theme))
            if rng.random() < 0.3:
                w.add(iri, URL, _typed(f"https://example.org/agenda/{slug}", "anyURI"))

    def calls(self, count: int) -> None:
        """Calls for projects funded mostly by local authorities and public bodies."""
        rng, w = self.rng, self.w
        namer = Namer(False)
        funders = [o for o in self.orgs if o[4] in ("LocalAuthority", "PublicBody")] or self.orgs
        dept = _iri(f"{ID}territory/departement-91")
        for _ in range(count):
            org_iri, org_label, _, _, _ = rng.choice(funders)
            deadline = _day(rng, dt.date(2024, 1, 1), dt.date(2028, 12, 31))
            label, slug = namer.name(
                f"Appel à projets « {rng.choice(CALL_TITLES)} » {deadline.year}")
            iri = _iri(f"{ID}call/{slug}")
            w.typed(iri, "CallForProjects")
            w.add(iri, LABEL, _fr(label))
            w.add(iri, DESCRIPTION, _fr(
                f"Appel à projets lancé par {org_label} pour soutenir les initiatives locales. "
                f"Dossier à déposer avant le {_french_date(deadline)}."))
            w.add(iri, FUNDER, org_iri)
            w.add(iri, _osc("deadline"), _date(deadline))
            for theme, _ in rng.sample(self.themes, min(len(self.themes), rng.randint(1, 2))):
                w.add(iri, _osc("eligibleTheme"), _iri(theme))
            if rng.random() < 0.4:
                w.add(iri, _osc("eligibleTerritory"), dept)
            else:
                for commune in rng.sample(self.communes, rng.randint(1, 3)):
                    w.add(iri, _osc("eligibleTerritory"), commune[0])
            if rng.random() < 0.7:
                w.add(iri, URL, _typed(f"https://example.org/appels/{slug}", "anyURI"))

    def needs_offers(self, cls: str, count: int) -> None:
        """Needs or offers posted by organisations, mostly open, valid for one month to a year."""
        rng, w = self.rng, self.w
        namer = Namer(False)
        kind_slug, verb, title = (("need", "recherche", "Besoin") if cls == "Need"
                                  else ("offer", "propose", "Offre"))
        for _ in range(count):
            org_iri, org_label, c, _, _ = rng.choice(self.orgs)
            commune_iri, commune = self.communes[c][:2]
            kind_iri, kind_label = rng.choice(self.kinds)
            label, slug = namer.name(f"{title} – {kind_label} {a(commune)}")
            iri = _iri(f"{ID}{kind_slug}/{slug}")
            start = _day(rng, dt.date(2024, 1, 1), dt.date(2027, 12, 31))
            w.typed(iri, cls)
            w.add(iri, LABEL, _fr(label))
            w.add(iri, DESCRIPTION, _fr(
                f"{org_label} {verb} : {kind_label.lower()}. Contact par la plateforme OSCARTES."))
            w.add(iri, _osc("needOfferKind"), _iri(kind_iri))
            for comp, _ in rng.sample(self.competences, rng.randint(1, 2) if rng.random() < 0.7 else 0):
                w.add(iri, _osc("competence"), _iri(comp))
            w.add(iri, _osc("postedBy"), org_iri)
            w.add(iri, _osc("commune"), commune_iri)
            w.add(iri, VALID_FROM, _date(start))
            w.add(iri, VALID_THROUGH, _date(start + dt.timedelta(days=rng.randint(30, 365))))
            status = "open" if rng.random() < 0.8 else "fulfilled"
            w.add(iri, _osc("needOfferStatus"), _osc(status))


# --------------------------------------------------------------------------- entry points


def generate(organisations: int, seed: int, out: TextIO, fmt: str = "nquads",
             progress: TextIO | None = None) -> dict:
    """Write the synthetic dataset to out; return instance counts per class and the total quads."""
    writer = QuadWriter(out, fmt)
    Generator(organisations, seed, writer, progress).run()
    writer.close()
    counts = dict(sorted(writer.counts.items()))
    counts["private_quads"] = len(writer.private)
    counts["quads"] = writer.quads
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command line: parse options, generate, report counts and time on stderr."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=100_000, help="number of organisations")
    parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same bytes)")
    parser.add_argument("--format", choices=("nquads", "trig"), default="nquads")
    parser.add_argument("-o", "--output", default="-", help="output file ('-' for stdout)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    if args.output == "-":
        counts = generate(args.organisations, args.seed, sys.stdout, args.format, sys.stderr)
    else:
        with open(args.output, "w", encoding="utf-8", newline="\n") as out:
            counts = generate(args.organisations, args.seed, out, args.format, sys.stderr)
    for name, value in counts.items():
        print(f"{name}\t{value}", file=sys.stderr)
    print(f"seconds\t{time.perf_counter() - began:.1f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
