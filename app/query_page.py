"""What the SPARQL query page shows: the project's prefixes, a first query and the named queries
as examples. The endpoint renders ``sparql/form.html`` with ``**query_page_context()``."""
from __future__ import annotations

from oscartes_kg.namespaces import PREFIXES
from oscartes_kg.queries import all_queries

__all__ = ["query_page_context", "prefix_block", "FIRST_QUERY"]

#: The query the editor opens with, under the prefix declarations.
FIRST_QUERY = """\
# Les organisations et leur nom, par ordre alphabétique
SELECT ?organisation ?nom WHERE {
  ?organisation a osc:Organisation ;
                rdfs:label ?nom .
}
ORDER BY ?nom
LIMIT 50
"""


def prefix_block() -> str:
    """One ``PREFIX`` line per prefix of the project, in a stable order.

    >>> prefix_block().splitlines()[0]
    'PREFIX osc: <https://w3id.org/oscartes/ns#>'
    """
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


def _example_text(sparql: str) -> str:
    """A named query's text without its ``#+`` header (shown as title and description)."""
    lines = sparql.splitlines()
    while lines and (lines[0].startswith("#+") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines).strip() + "\n"


def query_page_context() -> dict:
    """Template variables of ``sparql/form.html``: ``prefixes`` (name -> IRI), ``query`` (the
    editor's first text) and ``examples`` (name, French and English title and description,
    query, parameter names)."""
    examples = [{"name": q.name, "title": q.title or q.name, "description": q.description,
                 "title_en": q.title_en, "description_en": q.description_en,
                 "query": _example_text(q.sparql), "params": [p.name for p in q.params]}
                for q in all_queries()]
    return {"prefixes": dict(PREFIXES), "query": prefix_block() + "\n" + FIRST_QUERY,
            "examples": examples}
