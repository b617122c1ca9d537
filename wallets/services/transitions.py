"""The one helper that moves a row from one status to another, by its model's TRANSITIONS table.

Each move is a single conditional UPDATE (``WHERE status IN <allowed sources>``): a redelivered task, a
concurrent close or a late worker finds the row already moved, changes nothing and gets False. No read-then-
write, so there is no window in which two processes both believe they made the move.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from wallets import outbox


def transition(
    model: type[models.Model],
    *,
    to: str,
    only_from: Iterable[str] | None = None,
    where: dict[str, Any] | None = None,
    **values: Any,
) -> int:
    """Move the rows matching ``where`` to status ``to``; returns how many moved.

    ``only_from`` narrows the sources the table allows (a close of a row nobody claimed yet: only from
    pending); asking for a source the table does not allow is a programming error. Operations (models with
    ``updated_at``) get ``updated_at``, and ``finished_at`` when ``to`` is final, from one clock reading:
    UPDATE skips auto_now."""
    allowed: tuple[str, ...] = model.TRANSITIONS[to]  # type: ignore[attr-defined]
    sources = allowed if only_from is None else tuple(only_from)
    if not set(sources) <= set(allowed):
        raise ValueError(f"{model.__name__}: {sorted(set(sources) - set(allowed))} -> {to} is not allowed")
    fields = {f.name for f in model._meta.get_fields()}
    now = timezone.now()
    if "updated_at" in fields:
        values.setdefault("updated_at", now)
        if "finished_at" in fields and to in model.FINAL_STATUSES:  # type: ignore[attr-defined]
            values.setdefault("finished_at", now)
    rows = model._default_manager.filter(**(where or {}), status__in=sources)
    if not outbox.enabled():
        return int(rows.update(status=to, **values))
    # With events going out, the moved rows must be known to report them, in the moving transaction: they
    # are locked first (PostgreSQL), so the UPDATE moves exactly them and nobody moves them meanwhile.
    with transaction.atomic():
        ids = list(rows.select_for_update().values_list("id", flat=True))
        moved = int(model._default_manager.filter(id__in=ids, status__in=sources).update(status=to, **values))
        outbox.record_transitions(model, ids, to, values)
    return moved


def transition_one(model: type[models.Model], *, row_id: Any, to: str, **kwargs: Any) -> bool:
    """``transition`` of one row by id: True if this call made the move."""
    return transition(model, to=to, where={"id": row_id}, **kwargs) == 1
