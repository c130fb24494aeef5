"""Between what a form posts and RDF: typed text -> draft triples (with field errors), and back.

Each widget parses its text strictly and says what is wrong in French next to the field (a date
that is not one, an address that is not an IRI, a value outside the list); the shapes then judge
the whole entry (``contributions``). Control characters other than tab and line feed are
removed from text (they break XML exports and mean nothing in a form); everything else is
stored as typed and escaped when shown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from ..contributions import MAX_LITERAL, THIS
from ..namespaces import OSCID
from .choices import communes, find_commune
from .model import CLASS_FIELD, Field, FormModel

__all__ = ["Parsed", "parse_form", "form_values", "default_values", "keep_classes", "ADDRESS",
           "ADDRESS_FIELD", "clean_text"]

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ADDRESS = ox.NamedNode("http://schema.org/address")
#: The address input of the place block (forms with a commune field): not a shape of its own.
ADDRESS_FIELD = "address"
MAX_ADDRESS = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_DATE_FORMS = (  # (pattern, datatype, French name)
    (re.compile(r"^\d{4}$"), XSD + "gYear", "AAAA"),
    (re.compile(r"^\d{4}-\d{2}$"), XSD + "gYearMonth", "AAAA-MM"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), XSD + "date", "AAAA-MM-JJ"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$"), XSD + "dateTime", "AAAA-MM-JJThh:mm"),
)


@dataclass
class Parsed:
    """A posted form read: the draft triples, errors by field name, and what was typed."""

    draft: list = dc_field(default_factory=list)
    errors: dict = dc_field(default_factory=dict)    # field name -> [French / English message]
    typed: dict = dc_field(default_factory=dict)     # field name -> [text as typed]

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def clean_text(text: str) -> str:
    """Text as stored: line ends normalised, control characters removed, trimmed.

    >>> clean_text(" a\\r\\nb\\x00c\\x1b ")
    'a\\nbc'
    """
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


def parse_form(model: FormModel, form, store, *, lang: str = "fr") -> Parsed:
    """Read ``form`` (anything with ``getlist(name)``) against ``model``."""
    parsed = Parsed()
    for f in model.fields:
        if f.widget == "nested":
            _nested(f, form, parsed, store, lang)
            continue
        texts = [clean_text(t) for t in form.getlist(f.name)]
        parsed.typed[f.name] = [t for t in texts if t] or [""]
        for text in texts:
            if text:
                value = _value(f, text, store, parsed, f.name, lang)
                if value is not None:
                    parsed.draft.append(ox.Triple(THIS, ox.NamedNode(f.path), value))
        if f.max_count is not None and sum(1 for t in texts if t) > f.max_count:
            parsed.error(f.name, "une seule valeur possible / a single value only")
    if model.field("commune") is not None:
        _place(model, form, parsed, store)
    if model.classes:
        _entry_class(model, form, parsed)
    return parsed


def _entry_class(model: FormModel, form, parsed: Parsed) -> None:
    """The precise class picked (a guide, a training...): one of those offered, else an error.
    A post without the input leaves the class alone (a new entry gets the kind's class)."""
    texts = [clean_text(t) for t in form.getlist(CLASS_FIELD)]
    if not texts:
        return
    parsed.typed[CLASS_FIELD] = texts[:1]
    if len(texts) > 1:
        parsed.error(CLASS_FIELD, "un seul type possible / a single type only")
    elif model.class_choice(texts[0]) is None:
        offered = ", ".join(c.label("fr") for c in model.classes)
        parsed.error(CLASS_FIELD, f"type inconnu : choisissez-en un de la liste ({offered}) ; rien "
                                  f"n'a été enregistré / unknown type: pick one from the list")
    else:
        parsed.draft.append(ox.Triple(THIS, RDF_TYPE, ox.NamedNode(texts[0])))


def keep_classes(model: FormModel, draft: list, stored, iri: ox.NamedNode) -> list:
    """An edit's draft with the entry's stored classes taken into account: the class picked is
    the one shown (the stored classes stay as they are, however many), or a new one (it replaces
    the stored classes of the form's family; classes outside it, if any, are kept)."""
    picked = [t.object for t in draft if t.subject == THIS and t.predicate == RDF_TYPE]
    if not picked or not model.classes:
        return draft
    types = [t.object for t in stored if t.subject == iri and t.predicate == RDF_TYPE]
    if picked[0] in types:
        return [t for t in draft if not (t.subject == THIS and t.predicate == RDF_TYPE)]
    others = [ox.Triple(THIS, RDF_TYPE, t) for t in types if model.class_choice(t.value) is None]
    return draft + others


def _nested(f: Field, form, parsed: Parsed, store, lang: str) -> None:
    """A record filled in the same form (a person's consent): a blank node with its values."""
    node = ox.BlankNode()
    found = []
    for sub in f.fields:
        name = f"{f.name}.{sub.name}"
        text = clean_text(form.get(name, "") if hasattr(form, "get") else "")
        parsed.typed[name] = [text]
        if text:
            value = _value(sub, text, store, parsed, name, lang)
            if value is not None:
                found.append(ox.Triple(node, ox.NamedNode(sub.path), value))
    if found:
        parsed.draft += [ox.Triple(THIS, ox.NamedNode(f.path), node),
                         ox.Triple(node, RDF_TYPE, ox.NamedNode(f.nested_class)), *found]


def _value(f: Field, text: str, store, parsed: Parsed, name: str, lang: str):
    """One typed value as an RDF term, or None with an error noted on ``name``."""
    if len(text) > MAX_LITERAL:
        parsed.error(name, f"texte trop long : {len(text)} caractères, au plus {MAX_LITERAL} / "
                           f"text too long: {len(text)} characters, at most {MAX_LITERAL}")
        return None
    if f.widget == "choice":
        allowed = {value for value, _, _ in f.choices}
        if text not in allowed:
            parsed.error(name, "cette valeur n'est pas dans la liste proposée / not a value of the list")
            return None
        return ox.NamedNode(text) if f.iri else ox.Literal(text)
    if f.widget == "commune":
        commune = find_commune(store, text)
        if commune is None:
            parsed.error(name, f"commune inconnue : « {text[:80]} » ; choisissez-la dans la liste "
                               f"(nom et code INSEE) / unknown municipality: pick it from the list")
            return None
        return ox.NamedNode(commune.iri)
    if f.widget in ("reference", "nested"):
        return _reference(text, parsed, name)
    if f.widget == "iri":  # sh:nodeKind sh:IRI: the address itself is the value (a licence)
        node = _iri(text) if re.match(r"^https?://", text) else None
        if node is None:
            parsed.error(name, "adresse web invalide : une adresse complète comme "
                               "https://creativecommons.org/licenses/by-sa/4.0/, sans espaces / invalid web address")
        return node
    if f.widget == "url":
        if _iri(text) is None:
            parsed.error(name, "adresse web invalide : une adresse complète comme https://exemple.org, "
                               "sans espaces / invalid web address")
            return None
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "anyURI"))
    if f.datatypes:
        return _typed(f, text, parsed, name)
    return ox.Literal(text, language=lang) if _tagged(f) else ox.Literal(text)


def _tagged(f: Field) -> bool:
    """Prose is tagged with the page's language; codes, addresses and numbers are not."""
    return not (f.pattern or f.private or f.datatype)


def _iri(text: str) -> ox.NamedNode | None:
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text) or re.search(r"[\s<>\"{}|\\^`]", text):
        return None
    try:
        return ox.NamedNode(text)
    except ValueError:
        return None


def _reference(text: str, parsed: Parsed, name: str):
    """Another entry: its IRI, or its page's path (/id/kind/slug) as the search list gives it."""
    if text.startswith("/id/"):
        text = f"{OSCID}{text[4:]}"
    node = _iri(text)
    if node is None:
        parsed.error(name, f"« {text[:80]} » n'est pas l'adresse (IRI) d'une fiche : choisissez-la "
                           f"dans la liste des suggestions / not the address (IRI) of an entry")
    return node


def _typed(f: Field, text: str, parsed: Parsed, name: str):
    """Dates, times and numbers, checked here so the error is about the format."""
    if f.widget == "datetime" and re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$", text):
        text += ":00"
    if XSD + "decimal" in f.datatypes or XSD + "integer" in f.datatypes:
        try:
            number = Decimal(text.replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            parsed.error(name, "nombre attendu, par exemple 48.63 / a number is expected")
            return None
        if not number.is_finite():
            parsed.error(name, "nombre attendu, par exemple 48.63 / a number is expected")
            return None
        return ox.Literal(format(number, "f"), datatype=ox.NamedNode(f.datatypes[0]))
    for pattern, datatype, _ in _DATE_FORMS:
        if datatype in f.datatypes and pattern.match(text) and _real_date(text):
            return ox.Literal(text, datatype=ox.NamedNode(datatype))
    shapes = " ou ".join(form for _, datatype, form in _DATE_FORMS if datatype in f.datatypes)
    if shapes:
        parsed.error(name, f"date invalide : écrivez {shapes} / invalid date")
        return None
    return ox.Literal(text, datatype=ox.NamedNode(f.datatypes[0]))


def _real_date(text: str) -> bool:
    """Whether a date-shaped text names a real day (no 31 February)."""
    try:
        if len(text) >= 10:
            date.fromisoformat(text[:10])
        if "T" in text:
            datetime.fromisoformat(text if len(text) > 16 else text + ":00")
        elif len(text) == 7:
            date.fromisoformat(text + "-01")
    except ValueError:
        return False
    return True


def _place(model: FormModel, form, parsed: Parsed, store) -> None:
    """Commune, address and coordinates: the commune's centroid when no coordinates are given;
    an address alone cannot be placed (no geocoding service is called)."""
    address = clean_text(form.get(ADDRESS_FIELD, "") if hasattr(form, "get") else "")
    parsed.typed[ADDRESS_FIELD] = [address]
    if len(address) > MAX_ADDRESS:
        parsed.error(ADDRESS_FIELD, f"adresse trop longue : au plus {MAX_ADDRESS} caractères / "
                                    f"address too long")
    elif address:
        parsed.draft.append(ox.Triple(THIS, ADDRESS, ox.Literal(address)))
    chosen = [t for t in parsed.draft if t.subject == THIS and t.predicate.value == model.field("commune").path]
    lat, long = model.field("lat"), model.field("long")
    if lat is None or long is None:
        return
    has_point = any(t.subject == THIS and t.predicate.value in (lat.path, long.path) for t in parsed.draft)
    if chosen and not has_point:
        commune = next((c for c in communes(store) if c.iri == chosen[0].object.value), None)
        if commune and commune.lat and commune.long:
            decimal = ox.NamedNode(XSD + "decimal")
            parsed.draft += [ox.Triple(THIS, ox.NamedNode(lat.path), ox.Literal(commune.lat, datatype=decimal)),
                             ox.Triple(THIS, ox.NamedNode(long.path), ox.Literal(commune.long, datatype=decimal))]
    if address and not chosen and not has_point and "commune" not in parsed.errors:
        parsed.error("commune", "une adresse seule ne peut pas être placée sur la carte : choisissez "
                                "aussi la commune (aucun service de géocodage n'est appelé) / an "
                                "address alone cannot be placed: also pick the municipality")


def default_values(model: FormModel) -> dict:
    """A new entry's form: the shapes' ``sh:defaultValue`` (the CC BY-SA 4.0 licence of a
    knowledge resource), field name -> [text]."""
    values = {f.name: [f.default] for f in model.fields if f.default}
    if model.classes:
        values[CLASS_FIELD] = [model.classes[0].iri]   # « sans précision » until one is picked
    return values


def form_values(model: FormModel, triples, iri: ox.NamedNode, store) -> dict:
    """Stored triples as the texts a form shows: field name -> [text]."""
    by_commune = {c.iri: c.option for c in communes(store)}
    shown: dict = {}
    for f in model.fields:
        objects = [t.object for t in triples if t.subject == iri and t.predicate.value == f.path]
        if f.widget == "nested":
            node = objects[0] if objects else None
            for sub in f.fields:
                found = [t.object for t in triples if node is not None and t.subject == node
                         and t.predicate.value == sub.path]
                shown[f"{f.name}.{sub.name}"] = [_text(found[0])] if found else [""]
            continue
        if f.widget == "commune":
            shown[f.name] = [by_commune.get(o.value, o.value) for o in objects] or [""]
        else:
            shown[f.name] = [_text(o, f) for o in objects] or [""]
    addresses = [t.object.value for t in triples if t.subject == iri and t.predicate == ADDRESS]
    shown[ADDRESS_FIELD] = addresses[:1] or [""]
    if model.classes:
        types = {t.object.value for t in triples if t.subject == iri and t.predicate == RDF_TYPE}
        mine = [c for c in model.classes if c.iri in types]
        # the deepest stored class of the family: typed Organisation and Association, it is an association
        shown[CLASS_FIELD] = [max(mine, key=lambda c: c.depth).iri if mine else model.classes[0].iri]
    return shown


def _text(term, f: Field | None = None) -> str:
    value = term.value
    if f is not None and f.widget == "datetime" and len(value) >= 16:
        return value[:16]
    return value
