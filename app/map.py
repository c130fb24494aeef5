"""The map page and its GeoJSON API, read from the catalogue (public data only).

``/api/map.geojson?bbox=minlon,minlat,maxlon,maxlat&theme=&kind=`` answers an RFC 7946
FeatureCollection: points in (longitude, latitude) order, properties ``iri``, ``url``,
``label``, ``kind``; at most ``MAX_FEATURES`` features, with ``"truncated": true`` when more
matched (the map then asks the visitor to zoom in). Tiles come from ``map_tile_url``: the only
host other than this site that pages contact.
"""
from __future__ import annotations

import math

from flask import Blueprint, Response, json, render_template, request

from oscartes_kg.catalogue import KIND_LABELS
from oscartes_kg.catalogue.records import MAP_EXCLUDED_KINDS
from oscartes_kg.errors import UsageError

from . import catalogue, kb, terms
from .i18n import current

__all__ = ["bp", "MAX_FEATURES", "MAP_KINDS"]

bp = Blueprint("map", __name__)

#: Features in one answer at most: enough for a département at street level, small enough for
#: a phone to cluster (the whole of 100,000 organisations is asked for by zooming in).
MAX_FEATURES = 5000
#: Kinds that may appear on the map, in the order of the filter.
MAP_KINDS = tuple(k for k in KIND_LABELS if k not in MAP_EXCLUDED_KINDS + ("charter",))


@bp.app_context_processor
def map_settings() -> dict:
    """Templates' ``map_tiles``: the tile URL template and its attribution, for every map."""
    settings = kb.settings()
    return {"map_tiles": {"url": settings.map_tile_url, "attribution": settings.map_attribution}}


@bp.get("/map")
def page():
    """The map (Leaflet, markers clustered), with theme and kind filters that work as a form."""
    themes = [t for t in catalogue.get().terms("theme") if t.count]
    chosen_themes = request.args.getlist("theme")
    chosen_kinds = [k for k in request.args.getlist("kind") if k in MAP_KINDS]
    return render_template(
        "map.html", themes=_theme_options(themes), chosen_themes=chosen_themes,
        kinds=[(k, _label(*KIND_LABELS[k])) for k in MAP_KINDS], chosen_kinds=chosen_kinds)


@bp.get("/api/map.geojson")
def geojson():
    """Located public entities as a GeoJSON FeatureCollection (RFC 7946)."""
    bbox = _bbox(request.args.get("bbox", ""))
    kinds = tuple(dict.fromkeys(request.args.getlist("kind")))
    for kind in kinds:
        if kind not in MAP_KINDS:
            raise UsageError(f"type inconnu sur la carte : « {kind[:40]} » (attendu : "
                             f"{', '.join(MAP_KINDS)}) / unknown map kind", prop="kind", rule="kind")
    themes = tuple(dict.fromkeys(t for t in request.args.getlist("theme") if t))
    found = catalogue.get().features(bbox, themes=themes, kinds=kinds, limit=MAX_FEATURES)
    base = kb.settings().iri_base
    body = {
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [f.lon, f.lat]},  # RFC 7946 §3.1.1
            "properties": {"iri": f.iri, "url": terms.local_path(f.iri, base) or f.iri,
                           "label": _label(f.label, f.label_en), "kind": f.kind,
                           "kind_label": _label(*KIND_LABELS.get(f.kind, (f.kind, f.kind)))},
        } for f in found.features],
        "truncated": found.truncated,
        "limit": MAX_FEATURES,
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/geo+json")
    response.headers["Vary"] = "Accept-Language"
    return response


def _bbox(text: str) -> tuple[float, float, float, float] | None:
    """``minlon,minlat,maxlon,maxlat`` as numbers within WGS84 bounds, or None when absent."""
    if not text.strip():
        return None
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise UsageError("bbox invalide : attendu « minlon,minlat,maxlon,maxlat » en degrés "
                         "/ invalid bbox: expected minlon,minlat,maxlon,maxlat in degrees",
                         prop="bbox", rule="bbox")
    min_lon, min_lat, max_lon, max_lat = values
    if min_lon > max_lon or min_lat > max_lat:
        raise UsageError("bbox invalide : le minimum dépasse le maximum / invalid bbox: a minimum "
                         "is above its maximum", prop="bbox", rule="bbox")
    # A view wider than the world (Leaflet at low zoom) is clamped, not refused.
    return (max(min_lon, -180.0), max(min_lat, -90.0), min(max_lon, 180.0), min(max_lat, 90.0))


def _label(label: str, label_en: str) -> str:
    return label_en if current() == "en" and label_en else label


def _theme_options(themes: list) -> list[dict]:
    """Themes in tree order (each after its parent), with their depth for indentation."""
    by_parent: dict = {}
    known = {t.value for t in themes}
    for theme in themes:
        by_parent.setdefault(theme.parent if theme.parent in known else None, []).append(theme)
    options: list[dict] = []

    def walk(parent, depth):
        for theme in sorted(by_parent.get(parent, []), key=lambda t: _label(t.label, t.label_en)):
            options.append({"iri": theme.value, "label": _label(theme.label, theme.label_en),
                            "depth": depth})
            walk(theme.value, depth + 1)
    walk(None, 0)
    return options

