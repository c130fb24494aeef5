"""What a changeset is: its terms, its IRI and id, and the record read back from the history graph."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote

import pyoxigraph as ox

from .. import graphs
from ..errors import NotFound
from ..namespaces import OSC, OSCID

#: Deltas up to this many quads stay in the history graph as text; larger ones go to a file.
INLINE_LIMIT = 2_000
HISTORY = graphs.PRIVATE_HISTORY
FOLDER = "history"
_ID = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{6}$")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ASSOCIATED = ox.NamedNode(_PROV + "wasAssociatedWith")
ENDED = ox.NamedNode(_PROV + "endedAtTime")
(CHANGESET, CHANGED, CHANGED_GRAPH, ADDED_COUNT, REMOVED_COUNT, CHANNEL, REVERTS, ADDED_QUADS,
 REMOVED_QUADS, ADDED_FILE, REMOVED_FILE) = (ox.NamedNode(str(t)) for t in (
    OSC.Changeset, OSC.changed, OSC.changedGraph, OSC.addedCount, OSC.removedCount, OSC.channel,
    OSC.reverts, OSC.addedQuads, OSC.removedQuads, OSC.addedFile, OSC.removedFile))
INTEGER = ox.NamedNode(_XSD + "integer")
DATETIME = ox.NamedNode(_XSD + "dateTime")
#: Channels whose changesets keep no delta (the write erases personal data).
NO_DELTA = ("gdpr",)


@dataclass(frozen=True)
class Changeset:
    """One recorded write, as read from the history graph (the delta is read by :func:`delta`)."""

    id: str
    time: str
    channel: str
    added_count: int
    removed_count: int
    author: str | None = None
    message: str | None = None
    reverts: str | None = None
    changed: tuple[str, ...] = ()
    graphs: tuple[str, ...] = ()
    delta_text: tuple[str | None, str | None] = (None, None)   # inline (added, removed)
    delta_files: tuple[str | None, str | None] = (None, None)  # relative paths (added, removed)

    @property
    def iri(self) -> str:
        return changeset_iri(self.id).value

    @property
    def has_delta(self) -> bool:
        return self.channel not in NO_DELTA

    def to_json(self) -> dict:
        """The description as plain data (no delta)."""
        return {"id": self.id, "iri": self.iri, "time": self.time, "channel": self.channel,
                "author": self.author, "message": self.message, "reverts": self.reverts,
                "added": self.added_count, "removed": self.removed_count,
                "changed": list(self.changed), "graphs": list(self.graphs)}


def changeset_iri(changeset_id: str) -> ox.NamedNode:
    """``oscid:changeset/{id}``.

    :raises NotFound: ``changeset_id`` is not an id this module makes (so no changeset has it).
    """
    if not isinstance(changeset_id, str) or not _ID.match(changeset_id):
        raise NotFound(f"jeu de modifications inconnu « {changeset_id} » / unknown changeset",
                       entity=str(changeset_id), rule="changeset")
    return ox.NamedNode(f"{OSCID}changeset/{changeset_id}")


def is_changeset(node) -> bool:
    """Whether ``node`` is a changeset's IRI (``oscid:changeset/...``)."""
    return isinstance(node, ox.NamedNode) and node.value.startswith(f"{OSCID}changeset/")


def new_id() -> tuple[str, str]:
    """A fresh id and its time (xsd:dateTime, UTC, microseconds)."""
    now = datetime.now(timezone.utc)
    return (f"{now:%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(3)}",
            now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def agent_iri(author) -> ox.NamedNode | None:
    """The agent IRI of ``author``: an IRI as given, a plain name as ``oscid:agent/{name}``."""
    if author is None or author == "":
        return None
    text = author.value if isinstance(author, ox.NamedNode) else str(author)
    if re.match(r"^[a-z][a-z0-9+.-]*:", text):
        try:
            return ox.NamedNode(text)
        except ValueError:
            pass
    return ox.NamedNode(f"{OSCID}agent/{quote(text, safe='')}")


