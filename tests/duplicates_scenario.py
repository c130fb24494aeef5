"""The duplicates scenario: two fictional sources of the same territory, imported into the demo
store. ``carte-a`` is a GoGoCarto map, ``tableur`` a partner's spreadsheet (CSV). The pairs a
curator should see, and the near misses they should not, are pinned in ``EXPECTED``."""
from __future__ import annotations

from pathlib import Path

from import_helpers import write_elements

from oscartes_kg import importers
from oscartes_kg.importers.identity import entry_iri

ID = "https://w3id.org/oscartes/id/organisation/"
HEADER = "Identifiant;Nom;Type;Description;Site web;Courriel;Téléphone;Thèmes;Commune;Latitude;Longitude;SIREN;RNA"


def element(id_, name, *, lat=None, lon=None, website="", email="hidden"):
    found = {"id": id_, "name": name, "status": 1, "website": website, "email": email,
             "description": f"{name} : une fiche de la carte A, pour les tests de doublons."}
    if lat is not None:
        found["geo"] = {"latitude": lat, "longitude": lon}
    return found


CARTE_A = [
    element("a1", "Association Pôles NOÉ", website="https://poles-noe.example.org"),
    element("a2", "Ressourcerie du Plateau", lat=48.69, lon=2.18,
            email="contact@ressourcerie-plateau.example.fr"),
    element("a4", "Palaiseau en transition", lat=48.7145, lon=2.2457),
    element("a5", "Repair Café", lat=48.730, lon=2.270),
    element("a6", "Jardin partagé des Lilas", lat=48.60, lon=2.30, email="lilas@gmail.com"),
]
TABLEUR = [
    "b1;Poles Noe;;;http://www.poles-noe.example.org/;;;;;;;;",
    "b2;La Ressourcerie du plateau (asso);;;;info@ressourcerie-plateau.example.fr;;;;48,6905;2,1803;;",
    "b3;Repair Café;;;;;;;;45,65;0,16;;",
    "b4;Amap des Coquelicots;;;;coquelicots@gmail.com;;;;48,6001;2,3001;;",
    "b5;Mairie des Ulis;;;;;;;;;;219106929;",
]


def a(key: str) -> str:
    return entry_iri("organisation", "carte-a", key).value


def b(key: str) -> str:
    return entry_iri("organisation", "tableur", key).value


def pair(x: str, y: str) -> tuple[str, str]:
    return tuple(sorted((x, y)))


#: Pair -> the reason codes it must carry.
EXPECTED = {
    pair(ID + "poles-noe", a("a1")): {"name"},
    pair(ID + "poles-noe", b("b1")): {"name"},
    pair(a("a1"), b("b1")): {"name", "website"},
    pair(a("a2"), b("b2")): {"name", "email", "distance"},
    pair(ID + "ville-des-ulis", b("b5")): {"siren"},
}
#: Near misses: alike in one way only, never proposed.
NEAR_MISSES = {
    pair(ID + "massy-en-transition", a("a4")): "a town's name differs: another local group",
    pair(a("a5"), b("b3")): "the same name 350 km apart",
    pair(a("a6"), b("b4")): "neighbours with gmail.com addresses, different names",
}


def write_carte_a(folder: Path, elements=None) -> Path:
    return write_elements(folder / "carte-a.json", CARTE_A if elements is None else elements)


def write_tableur(folder: Path, rows=None) -> Path:
    path = folder / "tableur.csv"
    path.write_bytes("\r\n".join([HEADER, *(TABLEUR if rows is None else rows)]).encode("utf-8-sig"))
    return path


def import_both(store, folder: Path) -> tuple:
    first = importers.import_source(store, "gogocarto", str(write_carte_a(folder)),
                                    source_name="carte-a")
    second = importers.import_source(store, "csv", str(write_tableur(folder)), source_name="tableur")
    assert not first.rejected and not second.rejected, (first.to_text(), second.to_text())
    return first, second
