"""Exports for other maps: GeoJSON, CSV, schema.org JSON-LD, GoGoCarto JSON and Murmurations
profiles of every public actor. Public graphs only (``actors.public_actors``).

>>> sorted(FORMATS)
['csv', 'geojson', 'gogocarto', 'jsonld', 'murmurations']
"""
from __future__ import annotations

from ..errors import UsageError
from . import geojson, gogocarto, murmurations, schema_org, table
from .actors import public_actors

__all__ = ["FORMATS", "export", "media_type", "public_actors"]

#: Format name -> (media type, file extension).
FORMATS = {
    "geojson": (geojson.MEDIA_TYPE, "geojson"),
    "csv": (table.MEDIA_TYPE, "csv"),
    "jsonld": (schema_org.MEDIA_TYPE, "jsonld"),
    "gogocarto": (gogocarto.MEDIA_TYPE, "json"),
    "murmurations": (murmurations.MEDIA_TYPE, "json"),
}


def media_type(format_name: str) -> str:
    return FORMATS[format_name][0]


def export(store, format_name: str) -> bytes:
    """Every public actor in ``format_name``.

    :raises UsageError: an unknown format.
    """
    if format_name not in FORMATS:
        raise UsageError(f"format d'export inconnu « {format_name} » : {', '.join(FORMATS)} / "
                         f"unknown export format {format_name!r}")
    actors = public_actors(store)
    if format_name == "csv":
        from ..importers.mapping import shipped
        return table.serialize(store, [a.iri for a in actors], shipped("csv-organisation.yaml"))
    module = {"geojson": geojson, "jsonld": schema_org, "gogocarto": gogocarto,
              "murmurations": murmurations}[format_name]
    return module.serialize(actors)
