"""Comparing the names and identifiers of actors across sources: one normaliser shared by the
reconciliation service (``oscartes_kg.reconcile``) and the duplicate detection of issue 6 §2.

Two spreadsheets rarely spell an actor the same way: "Association PôleS NOE", "Poles Noe",
"POLES-NOE (asso)". A name is compared by its *key*: case and accents folded (as the
catalogue's FTS5 tokenizer folds them, so a key word is also a search word), punctuation
dropped, legal-form words ("association", "asso", "SCIC", "SAS"...) and articles left out,
unless nothing else remains. Websites compare by host and path (scheme, ``www.`` and the final
slash do not count), SIRENs by their nine digits (a SIRET's first nine are the SIREN).

>>> key("Association PôleS NOE")
'poles noe'
>>> similarity("La Maison Cocagne", "Maison Cocagne (SCIC SAS)")
1.0
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache
from urllib.parse import urlsplit

__all__ = ["fold", "words", "key_words", "key", "similarity", "site", "same_site", "siren",
           "WORD_MATCH", "LEGAL_FORMS", "ARTICLES"]

#: Words that say what legal form an actor has, not which actor it is (French statuses of the
#: social economy and companies; folded, as :func:`fold` writes them).
LEGAL_FORMS = frozenset("""
    association associations asso assoc loi 1901 scic scop sa sas sasu sarl eurl sci gie gip
    epic eirl ei cae cooperative societe fondation mutuelle
""".split())
#: Articles, prepositions and conjunctions (French and English): they carry no identity.
ARTICLES = frozenset("le la les l un une des de du d et en au aux a sur sous the of and for".split())
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without accents or ligatures ("Œuvre" -> "oeuvre").

    >>> fold("Évry-Courcouronnes ŒUVRE")
    'evry-courcouronnes oeuvre'
    """
    text = text.casefold().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of a text (letters and digits; apostrophes and dashes split words).

    >>> words("L'Atelier-Vélo d'Orsay")
    ['l', 'atelier', 'velo', 'd', 'orsay']
    """
    return _WORD.findall(fold(text))


def key_words(name: str) -> list[str]:
    """The words of a name that identify it: legal forms and articles left out, unless the name
    is nothing else ("SCIC" stays "scic").

    >>> key_words("Association des Amis de la Terre")
    ['amis', 'terre']
    """
    every = words(name)
    kept = [w for w in every if w not in LEGAL_FORMS and w not in ARTICLES]
    if kept:
        return kept
    kept = [w for w in every if w not in ARTICLES]
    return kept or every


def key(name: str) -> str:
    """A name's comparison key: its key words, in order, joined by one space."""
    return " ".join(key_words(name))


@lru_cache(maxsize=65536)
def similarity(a: str, b: str) -> float:
    """How alike two names are, from 0 (nothing shared) to 1 (the same key).

    The mean of two views of the keys: the characters (difflib's ratio, in the written order or
    with the words sorted, whichever is higher: it forgives a typo and "Noe Poles"), and the
    share of words found on both sides (Dice, a word counting as found when it is nearly the
    same: ``WORD_MATCH``). The words keep a shared common word ("transition") from making
    two actors of two towns look alike.

    >>> similarity("PôleS NOE", "Poles Noé")
    1.0
    >>> similarity("Massy en transition", "Palaiseau en transition") < 0.7
    True
    >>> similarity("Maison Cocagn", "Maison Cocagne") > 0.95
    True
    """
    wa, wb = key_words(a), key_words(b)
    if not wa or not wb:
        return 0.0
    if wa == wb:
        return 1.0
    in_order = SequenceMatcher(None, " ".join(wa), " ".join(wb), autojunk=False).ratio()
    any_order = SequenceMatcher(None, " ".join(sorted(wa)), " ".join(sorted(wb)),
                                autojunk=False).ratio()
    found = sum(1 for w in wa if any(_near(w, v) for v in wb))
    found_b = sum(1 for v in wb if any(_near(v, w) for w in wa))
    shared = (found + found_b) / (len(wa) + len(wb))
    return round((max(in_order, any_order) + shared) / 2, 4)


#: Two words count as the same above this ratio (one letter off in a word of seven or more).
WORD_MATCH = 0.85


@lru_cache(maxsize=65536)
def _near(a: str, b: str) -> bool:
    """Whether two words are nearly the same (the same words come back across a batch: cached;
    lengths too far apart cannot reach ``WORD_MATCH``, so difflib is not asked)."""
    if a == b:
        return True
    shorter, longer = sorted((len(a), len(b)))
    if shorter < 5 or 2 * shorter / (shorter + longer) < WORD_MATCH:
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= WORD_MATCH


def site(url: str) -> str | None:
    """A website's comparison form: host without ``www.``, then the path without its final
    slash; None when it is not a web address.

    >>> site("HTTPS://www.Poles-Noe.fr/")
    'poles-noe.fr'
    >>> site("poles-noe.fr/agenda/")
    'poles-noe.fr/agenda'
    >>> site("not a site") is None
    True
    """
    text = url.strip()
    if not re.match(r"(?i)^https?://", text):
        text = "http://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if "." not in host or not re.fullmatch(r"[a-z0-9.-]+", host):
        return None
    return host + parts.path.rstrip("/")


def same_site(a: str, b: str) -> float:
    """1 for the same site and page, 0.5 for the same host when one of them is the home page
    (an actor's home page against one of its pages), else 0.

    >>> same_site("https://poles-noe.fr", "http://www.poles-noe.fr/")
    1.0
    >>> same_site("https://poles-noe.fr", "https://poles-noe.fr/contact")
    0.5
    >>> same_site("https://example.org/a", "https://example.org/b")
    0.0
    """
    sa, sb = site(a), site(b)
    if not sa or not sb:
        return 0.0
    if sa == sb:
        return 1.0
    ha, hb = sa.split("/", 1), sb.split("/", 1)
    return 0.5 if ha[0] == hb[0] and (len(ha) == 1 or len(hb) == 1) else 0.0


def siren(value: str) -> str | None:
    """The nine-digit SIREN of a SIREN or SIRET as people type them (spaces, dots), else None.

    >>> siren("219 106 929")
    '219106929'
    >>> siren("219 106 929 00011")
    '219106929'
    >>> siren("12") is None
    True
    """
    digits = re.sub(r"[\s.\u00a0-]", "", value)
    if re.fullmatch(r"\d{9}", digits) or re.fullmatch(r"\d{14}", digits):
        return digits[:9]
    return None
