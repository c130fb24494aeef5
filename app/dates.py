"""Dates as people read them, in French or English, at the precision the data give."""
from __future__ import annotations

from datetime import datetime

from .i18n import current

__all__ = ["month_name", "period", "when"]

_MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


def month_name(month: int, lang: str | None = None) -> str:
    """The name of month 1-12."""
    return _MONTHS[lang or current()][month - 1]


def period(text: str, lang: str | None = None) -> str:
    """A month heading from ``YYYY-MM`` ("mai 2021"), or a bare year ("2021")."""
    if len(text) >= 7:
        name = month_name(int(text[5:7]), lang)
        return f"{name.capitalize() if (lang or current()) == 'fr' else name} {text[:4]}"
    return text[:4]


def when(text: str, lang: str | None = None) -> str:
    """A date of any precision: "3 mai 2026, 10:00", "mai 2021", "2021" (times as written)."""
    lang = lang or current()
    if len(text) < 10:
        return period(text, lang).lower() if lang == "fr" and len(text) >= 7 else period(text, lang)
    day, month, year = int(text[8:10]), int(text[5:7]), text[:4]
    shown = (f"{'1er' if day == 1 else day} {month_name(month, lang)} {year}" if lang == "fr"
             else f"{day} {month_name(month, lang)} {year}")
    if len(text) > 10 and text[10] == "T":
        moment = datetime.fromisoformat(text)
        shown += f", {moment:%H:%M}"
    return shown
