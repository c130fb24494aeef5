"""Read the SHACL shapes (as the store holds them) into form fields: one generic form per kind.

A kind's fields are the property shapes of the node shapes that target its class or a super
class (``rdfs:subClassOf*`` in the ontology graph). Shapes on the same predicate are one field
(the shapes are written for validation: ``dcterms:description`` has a short-text warning and a
maximum length). What each SHACL parameter gives the form:

- ``sh:group`` (with the group's ``sh:order`` and ``rdfs:label``) and ``sh:order``: sections and order;
- ``sh:name``/``sh:description`` (@fr, @en): label and help; ``sh:minCount`` >= 1: required;
  ``sh:maxCount``: how many values;
- ``sh:datatype`` (or ``sh:or`` of datatypes), ``sh:maxLength``, ``sh:pattern``, bounds: the input;
- ``sh:in``, or ``sh:node`` of a shape that fixes ``skos:inScheme``: a choice from the thesaurus;
- ``sh:nodeKind sh:IRI`` with no class: a web address stored as an IRI (a licence);
  ``sh:defaultValue``: what a new entry's form is pre-filled with;
- ``sh:class`` (or the ontology's ``rdfs:range`` when it is a class): a reference to another entry,
  a commune, or a record filled in the same form (a class that no entry kind has, such as
  ``osc:Consent``: a sub-form from the node shape that targets it);
- ``sh:maxCount 0`` in a shape checked on the public graphs only: a private field (a person's
  contact details), kept out of the public graphs.

Properties the review workflow writes (``contributions.LIFECYCLE``) are not form fields.
"""
from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS, SH, SKOS, XSD

__all__ = ["Field", "Group", "FormModel", "build_model", "ENTITY_CLASSES", "local_name", "CLASS_FIELD"]

OSC = "https://w3id.org/oscartes/ns#"
OSCSH = "https://w3id.org/oscartes/shapes#"
SCOPE, PUBLIC = URIRef(OSCSH + "scope"), URIRef(OSCSH + "PublicGraphs")
COMMUNE = URIRef(OSC + "Commune")
LIFECYCLE = {URIRef(OSC + n) for n in ("proposedBy", "proposalStatus", "hasCharterReview")}
#: Classes whose instances are entries of their own (picked, never filled in another form).
ENTITY_CLASSES = {URIRef(OSC + n) for n in (
    "Actor", "Organisation", "Person", "Initiative", "Commons", "KnowledgeResource", "Event",
    "CallForProjects", "NeedOrOffer", "Need", "Offer", "Territory", "Commune", "EPCI",
    "Departement", "Region", "WorkingGroup", "SteeringCommittee")}
#: The input of the precise class (a guide, a training...) when the kind's class has sub-classes.
CLASS_FIELD = "type"
_TEXT_AREA_FROM = 300   # characters: a longer text gets a text area
#: Ranges the term contract gives (ontology/README.md) to schema.org properties the ontology
#: graph labels but does not declare: their values are entries, not text.
CONTRACT_RANGES = {URIRef("http://schema.org/funder"): URIRef(OSC + "Actor"),
                   URIRef("http://schema.org/organizer"): URIRef(OSC + "Actor")}


@dataclass(frozen=True)
class Field:
    """One input of a form: which predicate, how it is shown, what it accepts."""

    name: str                      # the input's name ("label", "consent.date"...)
    path: str                      # the predicate IRI
    labels: dict                   # lang -> label (sh:name)
    helps: dict                    # lang -> help text (sh:description)
    group: str | None              # the sh:PropertyGroup IRI
    order: float
    required: bool = False         # a Violation-severity sh:minCount >= 1
    recommended: bool = False      # a Warning-severity sh:minCount >= 1
    max_count: int | None = None   # None: any number
    widget: str = "text"           # text textarea date datetime number url choice reference commune nested
    datatype: str | None = None    # the literal's datatype IRI (None: a plain text)
    datatypes: tuple = ()          # allowed datatypes when several (sh:or)
    iri: bool = False              # values are IRIs (choices, references, communes, nested)
    max_length: int | None = None
    min_length: int | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = ()            # (value IRI, {lang: label}, depth) for choices
    scheme: str | None = None      # the concept scheme of a thesaurus choice
    reference_class: str | None = None
    nested_class: str | None = None
    fields: tuple = ()             # the sub-fields of a nested record
    private: bool = False          # never public: stored in the private contacts graph
    default: str | None = None     # sh:defaultValue: a new entry's form starts with it

    def label(self, lang: str = "fr") -> str:
        return self.labels.get(lang) or self.labels.get("fr") or next(iter(self.labels.values()), self.name)

    def help(self, lang: str = "fr") -> str:
        return self.helps.get(lang) or self.helps.get("fr") or ""

    @property
    def multiple(self) -> bool:
        return self.max_count is None or self.max_count > 1


@dataclass(frozen=True)
class Group:
    """A section of the form (``sh:PropertyGroup``) and its fields, in order."""

    iri: str | None
    labels: dict
    order: float
    fields: tuple

    def label(self, lang: str = "fr") -> str:
        return self.labels.get(lang) or self.labels.get("fr") or ""


@dataclass(frozen=True)
class FormModel:
    """The form of one class: its sections in order, every field by name, and the precise
    classes offered (``entry_classes.ClassChoice``, the class itself first; empty: no choice)."""

    cls: str
    groups: tuple
    classes: tuple = ()

    def class_choice(self, iri: str):
        """The offered class ``iri``, or None when it is not offered."""
        return next((c for c in self.classes if c.iri == iri), None)

    @property
    def fields(self) -> tuple:
        return tuple(f for g in self.groups for f in g.fields)

    def field(self, name: str) -> Field | None:
        head, _, sub = name.partition(".")
        found = next((f for f in self.fields if f.name == head), None)
        if found is not None and sub:
            return next((s for s in found.fields if s.name == sub), None)
        return found

    def by_path(self, path: str) -> Field | None:
        return next((f for f in self.fields if f.path == path), None)


def local_name(iri: str) -> str:
    """The last segment of an IRI: ``http://schema.org/startDate`` -> ``startDate``."""
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def build_model(cls: str, shapes: Graph, ontology: Graph, concepts=None) -> FormModel:
    """The form of ``cls`` from a shapes graph and the ontology (for super classes and ranges).

    ``concepts(scheme)`` gives a thesaurus' choices as (IRI, {lang: label}, depth) in order.
    """
    concepts = concepts or (lambda scheme: ())
    fields = _fields_for(URIRef(cls), shapes, ontology, concepts, nested=True)
    groups: dict = {}
    for f in fields:
        groups.setdefault(f.group, []).append(f)
    ordered = []
    for iri, members in groups.items():
        node = URIRef(iri) if iri else None
        labels = _texts(shapes, node, RDFS.label) if node is not None else {}
        order = _number(shapes.value(node, SH.order)) if node is not None else 1000.0
        ordered.append(Group(iri, labels, order if order is not None else 999.0,
                             tuple(sorted(members, key=lambda f: (f.order, f.name)))))
    return FormModel(cls, tuple(sorted(ordered, key=lambda g: (g.order, g.iri or ""))))


def _fields_for(cls: URIRef, shapes: Graph, ontology: Graph, concepts, *, nested: bool,
                prefix: str = "") -> list[Field]:
    """Every field of ``cls``: property shapes of the node shapes targeting it or a super class."""
    classes = {cls} | set(ontology.transitive_objects(cls, RDFS.subClassOf))
    by_path: dict = {}
    for node in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
        if not classes & set(shapes.objects(node, SH.targetClass)) or _true(shapes.value(node, SH.deactivated)):
            continue
        public_only = (node, SCOPE, PUBLIC) in shapes
        for prop in shapes.objects(node, SH.property):
            path = shapes.value(prop, SH.path)
            if isinstance(path, URIRef) and path not in LIFECYCLE and not _true(shapes.value(prop, SH.deactivated)):
                by_path.setdefault(path, []).append((prop, public_only))
    names: dict = {}
    fields = []
    for path, props in by_path.items():
        made = _field(path, props, shapes, ontology, concepts, nested, prefix, names)
        if made is not None:
            fields.append(made)
    return fields


def _field(path: URIRef, props: list, shapes: Graph, ontology: Graph, concepts, nested: bool,
           prefix: str, names: dict) -> Field | None:
    """Merge the property shapes on ``path`` into one field (None: nothing a form can fill)."""
    values = lambda param: [v for p, _ in props for v in shapes.objects(p, param)]  # noqa: E731
    counts = [int(v) for v in values(SH.maxCount)]
    private = any(int(v) == 0 for p, public in props if public for v in shapes.objects(p, SH.maxCount))
    if counts and max(counts) == 0 and not private:
        return None  # a property no entry may have
    if private and not _texts(ontology, path, RDFS.label):
        return None  # forbidden in public and not a term of our vocabulary (imported vCard data)
    main = min((p for p, _ in props), key=lambda p: (_number(shapes.value(p, SH.order)) or 0, str(p)))
    name = local_name(str(path))
    if name in names:
        name = f"{name}_{len(names)}"
    names[name] = path
    positive = [c for c in counts if c > 0]
    spec = dict(
        name=prefix + name, path=str(path), labels=_texts(shapes, main, SH.name),
        helps=_texts(shapes, main, SH.description),
        group=str(shapes.value(main, SH.group)) if shapes.value(main, SH.group) else None,
        order=_number(shapes.value(main, SH.order)) or 0.0,
        required=any(int(v) >= 1 for p, _ in props for v in shapes.objects(p, SH.minCount)
                     if shapes.value(p, SH.severity) in (None, SH.Violation)),
        recommended=any(int(v) >= 1 for p, _ in props for v in shapes.objects(p, SH.minCount)
                        if shapes.value(p, SH.severity) not in (None, SH.Violation)),
        max_count=min(positive) if positive else None, private=private,
        max_length=min((int(v) for v in values(SH.maxLength)), default=None),
        min_length=max((int(v) for v in values(SH.minLength)), default=None),
        pattern=next((str(v) for v in values(SH.pattern)), None),
        minimum=max((_number(v) for v in values(SH.minInclusive)), default=None),
        maximum=min((_number(v) for v in values(SH.maxInclusive)), default=None),
        default=next((str(v) for v in values(SH.defaultValue)), None))
    spec.update(_kind(path, props, values, shapes, ontology, concepts, nested, prefix + name))
    return Field(**spec)


def _kind(path, props, values, shapes: Graph, ontology: Graph, concepts, nested: bool, name: str) -> dict:
    """How the field is entered: widget, datatype, choices, referenced or nested class."""
    allowed = [member for listed in values(SH["in"]) for member in Collection(shapes, listed)]
    if allowed:
        choices = tuple((str(v), _texts(ontology, v, RDFS.label) or {"": local_name(str(v))}, 0)
                        for v in allowed)
        return {"widget": "choice", "iri": all(isinstance(v, URIRef) for v in allowed), "choices": choices}
    for node in values(SH.node):
        scheme = _scheme(shapes, node)
        if scheme:
            return {"widget": "choice", "iri": True, "scheme": scheme, "choices": tuple(concepts(scheme))}
    datatypes = [str(d) for d in values(SH.datatype)]
    for union in values(SH["or"]):
        datatypes += [str(d) for member in Collection(shapes, union) for d in shapes.objects(member, SH.datatype)]
    if datatypes:
        return _literal_kind(list(dict.fromkeys(datatypes)), values)
    classes = values(SH["class"]) or [r for r in ontology.objects(path, RDFS.range)
                                       if isinstance(r, URIRef) and not str(r).startswith(str(XSD))
                                       and r != RDFS.Literal]
    if not classes and path in CONTRACT_RANGES:
        classes = [CONTRACT_RANGES[path]]
    literal = URIRef(str(SH) + "Literal") in values(SH.nodeKind) or values(SH.pattern) \
        or values(SH.maxLength) or values(SH.minLength)
    if not classes and URIRef(str(SH) + "IRI") in values(SH.nodeKind):
        return {"widget": "iri", "iri": True}
    if classes and not literal:
        cls = classes[0]
        if cls == COMMUNE:
            return {"widget": "commune", "iri": True, "reference_class": str(cls)}
        if cls in ENTITY_CLASSES or not nested or cls == SKOS.Concept:
            return {"widget": "reference", "iri": True, "reference_class": str(cls)}
        sub = _fields_for(cls, shapes, ontology, concepts, nested=False, prefix="")
        if sub:
            return {"widget": "nested", "iri": True, "nested_class": str(cls),
                    "fields": tuple(sorted(sub, key=lambda f: (f.order, f.name)))}
        return {"widget": "reference", "iri": True, "reference_class": str(cls)}
    longest = min((int(v) for v in values(SH.maxLength)), default=None)
    prose = longest is None and not values(SH.pattern) and (path, RDFS.range, XSD.string) in ontology
    big = (longest or 0) > _TEXT_AREA_FROM or prose
    return {"widget": "textarea" if big else "text"}


def _literal_kind(datatypes: list, values) -> dict:
    """Inputs for typed literals: HTML date, datetime and number inputs where one type fits."""
    single = datatypes[0] if len(datatypes) == 1 else None
    widget = {str(XSD.date): "date", str(XSD.dateTime): "datetime", str(XSD.decimal): "number",
              str(XSD.integer): "number", str(XSD.anyURI): "url"}.get(single or "", "text")
    return {"widget": widget, "datatype": single, "datatypes": tuple(datatypes)}


def _scheme(shapes: Graph, node) -> str | None:
    """The concept scheme a ``sh:node`` shape requires (``skos:inScheme`` ``sh:hasValue`` S)."""
    for prop in shapes.objects(node, SH.property):
        if shapes.value(prop, SH.path) == SKOS.inScheme and shapes.value(prop, SH.hasValue) is not None:
            return str(shapes.value(prop, SH.hasValue))
    return None


def _texts(graph: Graph, node, predicate) -> dict:
    """{lang: text} of ``predicate`` on ``node`` ("" for an untagged literal)."""
    return {(v.language or ""): str(v) for v in graph.objects(node, predicate) if isinstance(v, Literal)}


def _number(value) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _true(value) -> bool:
    return isinstance(value, Literal) and value.toPython() is True
