"""The language of a page: French by default, English on request, and one helper for texts.

The interface is in French; English comes from ``?lang=en`` (remembered in a cookie), else from
``Accept-Language`` when it prefers English. Texts sit next to the code that shows them, as
``tr("Rechercher", "Search")``: a small site does not need message catalogues, and a reader of
a template sees both languages at once.
"""
from __future__ import annotations

from flask import Flask, Response, g, request

__all__ = ["LANGUAGES", "current", "tr", "init_app"]

LANGUAGES = ("fr", "en")
COOKIE = "lang"


def current() -> str:
    """``fr`` or ``en`` for this request (computed once)."""
    if "oscartes_lang" not in g:
        asked = request.args.get("lang") or request.cookies.get(COOKIE)
        if asked not in LANGUAGES:
            primary = (tag.split("-")[0].lower() for tag, _ in request.accept_languages)
            asked = next((tag for tag in primary if tag in LANGUAGES), "fr")
        g.oscartes_lang = asked
    return g.oscartes_lang


def tr(french: str, english: str) -> str:
    """The text in the current language.

    >>> from flask import Flask
    >>> with Flask(__name__).test_request_context("/?lang=en"):
    ...     tr("Rechercher", "Search")
    'Search'
    """
    return english if current() == "en" else french


def init_app(app: Flask) -> None:
    """Give templates ``tr`` and ``page_lang``; remember a ``?lang=`` choice in a cookie."""

    @app.context_processor
    def language():
        return {"tr": tr, "page_lang": current()}

    @app.after_request
    def remember(response: Response) -> Response:
        asked = request.args.get("lang")
        if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax",
                                httponly=True, secure=request.is_secure)
        if "oscartes_lang" in g:
            response.headers.add("Vary", "Accept-Language")
        return response
