"""RDF formats by name, file extension and media type, in one table."""
from __future__ import annotations

from pathlib import Path

from pyoxigraph import RdfFormat

from .errors import UnknownFormat

__all__ = ["FORMATS", "by_name", "guess", "names"]

#: CLI name -> pyoxigraph format. Names are the contract of ``load``/``dump``/``--format``.
FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "trig": RdfFormat.TRIG,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}

_EXTENSIONS: dict[str, RdfFormat] = {
    ".ttl": RdfFormat.TURTLE, ".turtle": RdfFormat.TURTLE,
    ".trig": RdfFormat.TRIG,
    ".nt": RdfFormat.N_TRIPLES, ".ntriples": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS, ".nquads": RdfFormat.N_QUADS,
    ".jsonld": RdfFormat.JSON_LD, ".json": RdfFormat.JSON_LD,
    ".rdf": RdfFormat.RDF_XML, ".owl": RdfFormat.RDF_XML, ".xml": RdfFormat.RDF_XML,
}


def names() -> list[str]:
    """The format names the CLI accepts."""
    return list(FORMATS)


def by_name(name: str) -> RdfFormat:
    """The format called ``name`` (``turtle``, ``trig``, ...).

    >>> by_name("nquads").media_type
    'application/n-quads'

    :raises UnknownFormat: for any other name.
    """
    try:
        return FORMATS[name.lower()]
    except KeyError:
        raise UnknownFormat(
            f"format inconnu « {name} » (formats possibles : {', '.join(FORMATS)}) / "
            f"unknown format '{name}'", rule="format") from None


def guess(path: str | Path) -> RdfFormat:
    """The format of a file, from its extension.

    >>> guess("data/actors.ttl").name
    'Turtle'

    :raises UnknownFormat: when the extension is not an RDF one.
    """
    suffix = Path(path).suffix.lower()
    try:
        return _EXTENSIONS[suffix]
    except KeyError:
        known = " ".join(sorted(_EXTENSIONS))
        raise UnknownFormat(
            f"format de fichier non reconnu (extension « {suffix or 'aucune'} »). Extensions "
            f"acceptées : {known} / unrecognised file format", file=str(path), rule="format") from None
