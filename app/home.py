"""The home page: what the knowledge base holds (from the cached VoID counts, never a count per
request), the next events and open calls (small bounded reads), and where to go next."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

from flask import Blueprint, render_template

from oscartes_kg import agenda, calls, graphs

from . import kb, terms
from .agenda import today
from .dates import when
from .entity_view import graph_name
from .i18n import current, tr
from .service import dump_cache

bp = Blueprint("home", __name__)

OSC = "https://w3id.org/oscartes/ns#"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
#: What the home page counts: (kind in /id/ and in search, root class, French, English).
CATEGORIES = (
    ("organisation", "Organisation", "organisations", "organisations"),
    ("person", "Person", "personnes", "people"),
    ("initiative", "Initiative", "initiatives", "initiatives"),
    ("commons", "Commons", "communs", "commons"),
    ("resource", "KnowledgeResource", "ressources", "resources"),
    ("event", "Event", "événements", "events"),
    ("call", "CallForProjects", "appels à projets", "calls for projects"),
    ("need", "Need", "besoins", "needs"),
    ("offer", "Offer", "offres", "offers"),
    ("group", "WorkingGroup", "groupes de travail", "working groups"),
)
#: Events and calls shown on the home page.
SHOWN = 5
#: Seconds the listings of a store without a data version are kept.
LISTING_MAX_AGE = 60
_recent: dict[tuple, tuple[list, list]] = {}
_recent_lock = threading.Lock()


@bp.get("/")
def index():
    """Counts per kind, the next events, the open calls, links onwards."""
    store = kb.get_store()
    cache = dump_cache(store)
    statistics = cache.statistics(stale_ok=True)  # earlier counts while new ones are made
    lang, base = current(), kb.settings().iri_base
    events, open_calls = _listings(store, cache.version(), lang)
    # Deadlines within ``deadline_days`` are highlighted, as on /calls (issue 7 section 4).
    soon = (today() + timedelta(days=kb.settings().deadline_days)).isoformat()
    return render_template(
        "home.html", counts=_counts(store, statistics.classes), statistics=statistics,
        number=lambda n: f"{n:,}".replace(",", "\u202f" if lang == "fr" else ","),
        events=[(e, terms.href(e.iri, base), when(e.start.value, lang)) for e in events],
        calls=[(c, terms.href(c.iri, base), when(c.deadline.value, lang), c.deadline.value[:10] <= soon)
               for c in open_calls],
        sources=[(g, graph_name(g.graph)) for g in statistics.graphs if g.triples])


def _listings(store, version: str, lang: str) -> tuple[list, list]:
    """The next events and open calls, kept per data version, day and language: they change
    only when the data or the date do, and reading them costs about 0.4 s at 100k
    organisations (bench/RESULTS.md). Without a version (a remote store written by others),
    they are kept ``LISTING_MAX_AGE`` seconds."""
    day = today()
    key = (id(store), version or f"age-{int(time.monotonic() // LISTING_MAX_AGE)}", day, lang)
    found = _recent.get(key)
    if found is None:
        found = (agenda.upcoming(store, since=day, limit=SHOWN, lang=lang).events[:SHOWN],
                 calls.open_calls(store, today=day, limit=SHOWN, lang=lang)[:SHOWN])
        with _recent_lock:
            if len(_recent) >= 16:
                _recent.clear()
            _recent[key] = found
    return found


def _counts(store, classes: dict[str, int]) -> list[dict]:
    """Instances per category, subclasses included (the vocabulary's rdfs:subClassOf)."""
    parents: dict[str, set[str]] = {}
    for quad in store.quads(predicate=_node(SUBCLASS), graph=graphs.ONTOLOGY):
        parents.setdefault(quad.subject.value, set()).add(quad.object.value)
    shown = []
    for kind, root, french, english in CATEGORIES:
        total = sum(n for iri, n in classes.items() if _reaches(iri, OSC + root, parents))
        if kind == "group":
            total += classes.get(OSC + "SteeringCommittee", 0)
        shown.append({"kind": kind, "count": total, "label": tr(french, english)})
    return shown


def _reaches(iri: str, root: str, parents: dict[str, set[str]]) -> bool:
    """Whether class ``iri`` is ``root`` or one of its subclasses."""
    seen, todo = set(), [iri]
    while todo:
        current_class = todo.pop()
        if current_class == root:
            return True
        if current_class not in seen:
            seen.add(current_class)
            todo.extend(parents.get(current_class, ()))
    return False


def _node(iri: str):
    from pyoxigraph import NamedNode

    return NamedNode(iri)
