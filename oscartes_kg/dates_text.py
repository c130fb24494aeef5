"""Periods in words, French and English, for explanations ("du 1er au 30 mai 2026").

The core cannot use the web layer's date helpers (``app`` imports ``oscartes_kg``, never the
reverse), and an explanation is data: the JSON API returns both languages.
"""
from __future__ import annotations

import datetime as dt

__all__ = ["day_fr", "day_en", "range_text", "period_text"]

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


def day_fr(day: dt.date, *, month: bool = True, year: bool = True) -> str:
    """A day in French, "1er" for the first.

    >>> day_fr(dt.date(2026, 5, 1))
    '1er mai 2026'
    """
    text = "1er" if day.day == 1 else str(day.day)
    if month:
        text += f" {MONTHS_FR[day.month - 1]}"
    return text + (f" {day.year}" if year else "")


def day_en(day: dt.date, *, month: bool = True, year: bool = True) -> str:
    """A day in English.

    >>> day_en(dt.date(2026, 5, 1))
    '1 May 2026'
    """
    return f"{day.day}" + (f" {MONTHS_EN[day.month - 1]}" if month else "") + (f" {day.year}" if year else "")


def range_text(start: dt.date | None, end: dt.date | None) -> tuple[str, str]:
    """A span in words, French and English; an open end says so.

    >>> range_text(dt.date(2026, 5, 1), dt.date(2026, 5, 30))
    ('du 1er au 30 mai 2026', 'from 1 to 30 May 2026')
    >>> range_text(dt.date(2026, 4, 15), dt.date(2026, 5, 30))[0]
    'du 15 avril au 30 mai 2026'
    >>> range_text(None, None)
    ('sans limite de dates', 'with no date limit')
    """
    if start and end:
        if start == end:
            return f"le {day_fr(start)}", f"on {day_en(start)}"
        same_year = start.year == end.year
        same_month = same_year and start.month == end.month
        return (f"du {day_fr(start, month=not same_month, year=not same_year)} au {day_fr(end)}",
                f"from {day_en(start, month=not same_month, year=not same_year)} to {day_en(end)}")
    if start:
        return f"à partir du {day_fr(start)}", f"from {day_en(start)} on"
    if end:
        return f"jusqu'au {day_fr(end)}", f"until {day_en(end)}"
    return "sans limite de dates", "with no date limit"


def period_text(start: dt.date | None, end: dt.date | None) -> tuple[str, str]:
    """One entity's period, without the leading preposition's context.

    >>> period_text(dt.date(2026, 6, 1), dt.date(2026, 6, 30))[0]
    'du 1er au 30 juin 2026'
    """
    return range_text(start, end)
