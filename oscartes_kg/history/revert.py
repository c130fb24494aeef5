"""Reverting a changeset: a new changeset (``osc:reverts``) that undoes it, validated like any write."""
from __future__ import annotations

from ..errors import Forbidden, OscartesError
from .model import Changeset
from .read import delta, get, later_than, reverted_by

__all__ = ["RevertConflict", "conflicts", "revert"]


class RevertConflict(OscartesError):
    """Later changesets changed the same quads, or the changeset was reverted already."""

    status = 409
    exit_code = 1


def conflicts(store, changeset: Changeset) -> list[Changeset]:
    """Changesets written after ``changeset`` that added or removed one of its quads.

    Only changesets that changed one of the same entities can; their deltas are compared.
    """
    removed, added = delta(store, changeset)
    mine = set(removed) | set(added)
    found = []
    for later in reversed(later_than(store, changeset)):
        full = get(store, later.id)
        if not full.has_delta:
            continue
        gone, new = delta(store, full)
        if mine.intersection(gone) or mine.intersection(new):
            found.append(later)
    return found


def revert(store, changeset_id: str, *, role: str | None, author=None, message: str | None = None):
    """Undo the changeset ``changeset_id``: remove what it added, add back what it removed.

    The revert is itself a changeset (channel ``revert``, ``osc:reverts``), written through
    ``changes.apply``: the role must write the graphs, and the result must pass the shapes
    (all or nothing). Returns ``changes.apply``'s result.

    :raises Forbidden: ``role`` is not curator or admin, or the changeset is an erasure (it
        kept no delta: GDPR art. 17).
    :raises RevertConflict: it was reverted already, or later changesets changed the same
        quads (named in the message: revert them first, newest first).
    :raises RejectedInput: the store after the revert would break a shape (carries the report).
    :raises NotFound: no such changeset.
    """
    from .. import changes, roles  # changes imports this package

    if not roles.can_update(role):
        raise Forbidden(f"seul·e un·e curateur·rice peut annuler un jeu de modifications / only a "
                        f"curator may revert a changeset (role {role!r})", rule="role")
    changeset = get(store, changeset_id)
    if not changeset.has_delta:
        raise Forbidden(f"le jeu de modifications {changeset_id} est un effacement (RGPD) : il "
                        f"n'a rien gardé et ne s'annule pas / changeset {changeset_id} is an "
                        f"erasure (GDPR): it kept nothing and cannot be reverted",
                        entity=changeset.iri, rule="erasure")
    undone = reverted_by(store, changeset_id)
    if undone:
        raise RevertConflict(f"{changeset_id} est déjà annulé par {undone[0].id} / {changeset_id} "
                             f"was already reverted by {undone[0].id}", entity=changeset.iri,
                             rule="reverted")
    later = conflicts(store, changeset)
    if later:
        names = ", ".join(c.id for c in later)
        raise RevertConflict(
            f"impossible d'annuler {changeset_id} : des modifications plus récentes ont changé les "
            f"mêmes triplets ({names}) ; annulez-les d'abord, de la plus récente à la plus "
            f"ancienne / cannot revert {changeset_id}: later changesets changed the same triples "
            f"({names}); revert them first, newest first", entity=changeset.iri, rule="conflict")
    removed, added = delta(store, changeset)
    change = changes.Change(removed=list(added), added=list(removed),
                            targets={q.graph_name for q in removed + added})
    return changes.apply(store, change, role=role, author=author, channel="revert",
                         message=message or f"annulation de {changeset_id} / revert of {changeset_id}",
                         reverts=changeset_id)

