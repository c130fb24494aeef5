"""Mapping files: how a source's categories or columns become our properties (YAML or JSON).

YAML, because volunteers edit these files by hand and YAML keeps their comments; JSON is YAML too.
Shipped examples live in ``mappings/`` next to this module.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from ..errors import NotFound, ParseError

__all__ = ["load_mapping", "shipped", "shipped_path", "expand"]


def shipped_path(name: str) -> Path:
    """The file of a shipped mapping, e.g. ``shipped_path("csv-organisation.yaml")``."""
    return Path(str(resources.files(__package__).joinpath("mappings", name)))


def shipped(name: str) -> dict:
    """A shipped mapping, parsed."""
    return load_mapping(shipped_path(name))


def load_mapping(path: str | Path) -> dict:
    """The mapping in ``path`` as a dict.

    >>> shipped("gogocarto-sample.yaml")["kind"]
    'organisation'

    :raises NotFound: no such file.
    :raises ParseError: not YAML/JSON, or not a mapping at its top level (names file and line).
    """
    path = Path(path)
    if not path.is_file():
        raise NotFound("fichier de correspondance introuvable / mapping file not found",
                       file=str(path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ParseError("fichier de correspondance illisible (YAML ou JSON attendu) / mapping "
                         "file is not valid YAML or JSON", file=str(path),
                         line=mark.line + 1 if mark else None, rule="mapping") from None
    except UnicodeDecodeError:
        raise ParseError("fichier de correspondance non UTF-8 / mapping file is not UTF-8",
                         file=str(path), rule="mapping") from None
    if not isinstance(data, dict):
        raise ParseError("le fichier de correspondance doit être un dictionnaire (clé: valeur) / "
                         "the mapping file must be a mapping (key: value)", file=str(path),
                         rule="mapping")
    data["_file"] = str(path)
    return data


def expand(name: str, mapping: dict | None = None) -> str:
    """A full IRI from ``osc:Organisation``-style names (our usual prefixes) or a full IRI.

    >>> expand("schema:url")
    'http://schema.org/url'

    :raises ParseError: an unknown prefix (names the mapping file).
    """
    from ..namespaces import PREFIXES

    name = str(name).strip()
    if name.startswith(("http://", "https://", "urn:")):
        return name
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES:
        return str(PREFIXES[prefix]) + local
    raise ParseError(f"préfixe inconnu dans « {name} » : écrivez l'IRI complète ou un préfixe "
                     f"connu (osc:, schema:, rdfs:, dcterms:...) / unknown prefix in {name!r}",
                     file=(mapping or {}).get("_file"), rule="mapping")
