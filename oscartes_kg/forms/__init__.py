"""Contribution forms generated from the SHACL shapes the store holds: model, choices, values, errors.

``model_for(store, kind)`` reads the shapes, ontology and thesauri graphs of the store and
builds the form of an entry kind (``model``), with the sub-classes of its class to choose from
(``entry_classes``); it is cached per version of those graphs, so a
changed shape changes the form with no template change. ``values`` turns what a form posted
into draft triples for ``oscartes_kg.contributions`` (and stored triples back into form values);
``errors`` puts each result of a validation report next to its field.
"""
from __future__ import annotations

import dataclasses
import hashlib
import threading

from rdflib import Graph

from .. import entry_classes, graphs, versioned
from ..contributions import KIND_CLASSES
from ..errors import NotFound
from .choices import communes, concept_choices
from .model import CLASS_FIELD, Field, FormModel, Group, build_model

__all__ = ["Field", "Group", "FormModel", "model_for", "schema_version", "communes", "KINDS",
           "CLASS_FIELD"]

#: The kinds that have a contribution form, in the order the « Contribuer » page lists them.
KINDS = tuple(KIND_CLASSES)
_models: dict = {}
_lock = threading.Lock()


def schema_version(store) -> str:
    """A digest of the shapes, ontology and thesauri graphs (computed once per data version)."""
    def digest() -> str:
        hashed = hashlib.sha256()
        for graph in (graphs.SHAPES, graphs.ONTOLOGY, graphs.THESAURI):
            for line in sorted(str(q) for q in store.quads(None, None, None, graph)):
                hashed.update(line.encode("utf-8"))
        return hashed.hexdigest()
    return versioned.cached(store, "forms-schema-version", digest)


def model_for(store, kind: str) -> FormModel:
    """The form of ``kind``, built from the store's shapes (cached per schema version).

    :raises NotFound: ``kind`` has no form.
    """
    if kind not in KIND_CLASSES:
        raise NotFound(f"pas de formulaire pour « {kind[:40]} » (types : {', '.join(KINDS)}) / "
                       f"no form for this kind", entity=kind, rule="kind")
    version = schema_version(store)
    with _lock:
        if version not in _models:
            _models.clear()  # one schema version at a time
            _models[version] = {}
        cache = _models[version]
        if kind not in cache:
            shapes, ontology = _graph(store, graphs.SHAPES), _graph(store, graphs.ONTOLOGY)
            model = build_model(KIND_CLASSES[kind].value, shapes, ontology,
                                lambda scheme: concept_choices(store, scheme))
            # a kind whose class has sub-classes (a resource: guide, training, method sheet)
            # asks which one; the class itself stays an option (« sans précision »)
            classes = entry_classes.choices(store, KIND_CLASSES[kind].value)
            cache[kind] = dataclasses.replace(model, classes=classes if len(classes) > 1 else ())
        return cache[kind]


def _graph(store, graph) -> Graph:
    """One named graph of the store as an rdflib graph (N-Triples lines)."""
    parsed = Graph()
    text = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in store.quads(None, None, None, graph))
    if text:
        parsed.parse(data=text, format="nt")
    return parsed
