"""``/reconcile``: the W3C Entity Reconciliation API (0.2, as OpenRefine 3.x speaks it) over the
public catalogue; the protocol logic is ``oscartes_kg.reconcile``, this module only speaks HTTP.

- ``GET /reconcile``: the manifest (JSONP with ``callback``);
- ``GET|POST /reconcile`` with ``queries=`` (a JSON batch), ``query=`` (one query, API 0.1) or
  ``extend=`` (data extension); form-encoded POST, as OpenRefine sends them;
- ``/reconcile/preview?id=``, ``/reconcile/flyout/entity?id=``, ``/reconcile/suggest/{entity,
  type,property}?prefix=``, ``/reconcile/propose_properties?type=``.

Every answer carries ``Access-Control-Allow-Origin: *`` (browser clients), and a GET with a
``callback`` answers JSONP.
"""
from __future__ import annotations

import json
import re

from flask import Blueprint, Response, jsonify, render_template, request

from oscartes_kg.catalogue import KIND_LABELS
from oscartes_kg.errors import NotFound, UsageError
from oscartes_kg.reconcile import Reconciler, manifest, propose
from oscartes_kg.reconcile.manifest import property_suggestions, type_suggestions

from . import catalogue, kb
from .service import public_url

__all__ = ["bp"]

bp = Blueprint("reconcile", __name__)

#: A JSONP callback is a plain (dotted) JavaScript name, never code.
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*){0,4}$")
MAX_PARAM = 2_000_000   # characters of a queries/extend parameter


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _reconciler() -> Reconciler:
    """The service over the app's store and catalogue (public entities only)."""
    return Reconciler(kb.get_store(), catalogue.get().reader(), kb.settings().iri_base)


def _param(name: str) -> str | None:
    """A parameter from the query string or a form-encoded body."""
    value = request.values.get(name)
    if value is not None and len(value) > MAX_PARAM:
        raise UsageError(f"paramètre « {name} » trop long / '{name}' parameter too long",
                         prop=name, rule="size")
    return value


def _json_param(name: str, value: str):
    try:
        return json.loads(value)
    except ValueError:
        raise UsageError(f"paramètre « {name} » : JSON illisible / '{name}' parameter: invalid JSON",
                         prop=name, rule="json") from None


def _answer(data) -> Response:
    """JSON, or JSONP when a GET names a valid ``callback``."""
    callback = request.args.get("callback")
    if callback is None or request.method != "GET":
        return jsonify(data)
    if not _CALLBACK.match(callback):
        raise UsageError("callback invalide : un nom JavaScript est attendu / invalid callback name",
                         prop="callback", rule="jsonp")
    body = f"/**/{callback}({json.dumps(data, ensure_ascii=False)});"
    return Response(body, content_type="application/javascript; charset=utf-8")


@bp.route("/reconcile", methods=["GET", "POST"], endpoint="endpoint")
def endpoint():
    """Queries, extension, or the manifest when neither is asked for."""
    if (queries := _param("queries")) is not None:
        return _answer(_reconciler().reconcile(_json_param("queries", queries)))
    if (extend := _param("extend")) is not None:
        return _answer(_reconciler().extend(_json_param("extend", extend), _site_url()))
    if (single := _param("query")) is not None:
        query = _json_param("query", single) if single.lstrip().startswith("{") else single
        return _answer(_reconciler().reconcile({"q": query})["q"])
    return _answer(manifest(public_url("reconcile.endpoint"), _site_url(), kb.settings().iri_base))


def _site_url() -> str:
    return public_url("reconcile.endpoint").removesuffix("/reconcile")


@bp.get("/reconcile/preview")
def preview():
    """A small card for OpenRefine's preview pop-up (French, everything escaped)."""
    entity = _entity(request.args.get("id", ""))
    url = _site_url() + "/id/" + entity.iri[len(kb.settings().iri_base):]
    return render_template("reconcile/preview.html", entity=entity, url=url,
                           kind=KIND_LABELS.get(entity.kind, (entity.kind,))[0])


@bp.get("/reconcile/flyout/entity")
def flyout():
    """The suggest widget's flyout: the preview card as ``{"id", "html"}``."""
    entity_id = request.args.get("id", "")
    entity = _entity(entity_id)
    url = _site_url() + "/id/" + entity.iri[len(kb.settings().iri_base):]
    html = render_template("reconcile/_card.html", entity=entity, url=url,
                           kind=KIND_LABELS.get(entity.kind, (entity.kind,))[0])
    return _answer({"id": entity_id, "html": html})


def _entity(entity_id: str):
    found = _reconciler().entity(entity_id)
    if found is None:
        raise NotFound(f"aucune entité publique « {entity_id[:80]} » / no public entity with this id",
                       entity=entity_id[:80], rule="reconcile-id")
    return found


def _limit(default: int = 10) -> int:
    raw = request.args.get("limit", str(default))
    if not raw.isdigit() or int(raw) < 1:
        raise UsageError("limit : un entier positif est attendu / limit: a positive integer was "
                         "expected", prop="limit", rule="limit")
    return min(int(raw), 50)


@bp.get("/reconcile/suggest/entity")
def suggest_entity():
    """Entities whose names start with ``prefix`` (``type`` narrows them)."""
    types = request.args.getlist("type") or None
    cursor = request.args.get("cursor", "0")
    start = int(cursor) if cursor.isdigit() else 0
    found = _reconciler().suggest_entity(request.args.get("prefix", ""), types,
                                         limit=start + _limit())
    return _answer({"result": found[start:]})


@bp.get("/reconcile/suggest/type")
def suggest_type():
    return _answer({"result": type_suggestions(request.args.get("prefix", ""))[:_limit()]})


@bp.get("/reconcile/suggest/property")
def suggest_property():
    return _answer({"result": property_suggestions(request.args.get("prefix", ""))[:_limit()]})


@bp.route("/reconcile/propose_properties", methods=["GET", "POST"])
def propose_properties():
    """The properties the extension service offers for ``type``."""
    limit = request.values.get("limit")
    return _answer(propose(request.values.get("type") or None,
                           int(limit) if limit and limit.isdigit() else None))
