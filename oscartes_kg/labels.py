"""Pick the label to show from the literals of a resource: the page's language first."""
from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

__all__ = ["pick"]


def pick(literals: Iterable[ox.Literal], lang: str = "fr") -> str | None:
    """The literal in ``lang``, else French, else without a language, else any (by text order,
    so the choice is stable).

    >>> pick([ox.Literal("Theme", language="en"), ox.Literal("Thème", language="fr")], "en")
    'Theme'
    >>> pick([ox.Literal("Thème", language="fr"), ox.Literal("x")], "de")
    'Thème'
    >>> pick([]) is None
    True
    """
    ranked = sorted(literals, key=lambda lit: (_rank(lit.language, lang), lit.value))
    return ranked[0].value if ranked else None


def _rank(language: str | None, wanted: str) -> int:
    language = (language or "").lower()
    if language.split("-")[0] == wanted:
        return 0
    return 1 if language.startswith("fr") else 2 if not language else 3
