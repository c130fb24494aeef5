"""The site shell's helpers for every template: the same page in the other language."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, request

__all__ = ["lang_url", "init_app"]


def lang_url(lang: str) -> str:
    """This page's path and query with ``lang`` set, so the language switch keeps the page."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return f"{request.path}?{urlencode(args + [('lang', lang)])}"


def init_app(app: Flask) -> None:
    """Give templates ``lang_url``."""
    app.jinja_env.globals["lang_url"] = lang_url
