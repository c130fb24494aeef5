"""The W3C Entity Reconciliation API over the public knowledge base, so that other projects can
match their spreadsheets against our actors from OpenRefine.

Version implemented: the Reconciliation Service API **0.2** of the W3C Entity Reconciliation
Community Group (https://reconciliation-api.github.io/specs/0.2/), as OpenRefine 3.x speaks it:
the manifest (``versions: ["0.1", "0.2"]``), batches of queries (``queries=`` JSON, GET or
form-encoded POST), scored candidates with ``match`` and ``features``, preview, the suggest
services (entity, type, property) and data extension (``extend=``, ``propose_properties``).
Where we follow OpenRefine rather than the draft:

- the manifest and every GET answer JSONP when given ``callback`` (OpenRefine 3.x still falls
  back to JSONP for services without CORS; we send CORS headers too);
- a candidate's ``type`` is a list of ``{"id", "name"}`` and property values ``v`` may be a
  string, a number, an entity ``{"id": ...}`` or a list of them, as OpenRefine sends them;
- a query may be a bare string, and the single ``query=`` parameter of API 0.1 is answered;
- suggest takes ``prefix`` (and ``type``, ``cursor``) and answers ``{"result": [...]}``;
  ``propose_properties`` answers ``{"type", "properties", "limit"}`` as OpenRefine reads it.

Ids are ``<kind>/<slug>`` under the IRI base (``organisation/poles-noe``); candidates come from
the search catalogue, which lists public entities only; identifiers (SIREN, website) are read
from the public graphs only. Scoring and the match rule: :mod:`.scoring`.

>>> import tempfile; from pathlib import Path; from oscartes_kg import bootstrap
>>> from oscartes_kg.catalogue import open_catalogue
>>> from oscartes_kg.store import open_store
>>> with open_store(data=Path(tempfile.mkdtemp())) as store:
...     _ = bootstrap.init_store(store, demo=True)
...     service = Reconciler(store, open_catalogue(store).reader(), "https://w3id.org/oscartes/id/")
...     best = service.reconcile({"q0": {"query": "Maison Cocagne", "type": "organisation"}})["q0"]["result"][0]
>>> best["id"], best["match"]
('organisation/maison-cocagne', True)
"""
from __future__ import annotations

from .extension import propose
from .manifest import manifest
from .scoring import MATCH_LEAD, MATCH_SCORE, WEIGHTS
from .service import DEFAULT_LIMIT, MAX_QUERIES, Reconciler
from .vocabulary import DEFAULT_TYPES, EXTEND_PROPERTIES, QUERY_PROPERTIES, TYPES

__all__ = ["Reconciler", "manifest", "propose", "TYPES", "DEFAULT_TYPES", "QUERY_PROPERTIES",
           "EXTEND_PROPERTIES", "WEIGHTS", "MATCH_SCORE", "MATCH_LEAD", "DEFAULT_LIMIT", "MAX_QUERIES"]
