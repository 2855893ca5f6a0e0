"""Changes to the programme's pillars: the unit only, each audited with what changed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from msoic.accounts.access import is_national
from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.programme.models import Objective, Pillar


def can_edit_pillars(user: Any) -> bool:
    """The unit (national users) keeps the programme's pillars."""
    return is_national(user)


def _detail(pillar: Pillar, objectives: list[str]) -> dict[str, Any]:
    return {
        "name": pillar.name,
        "summary": pillar.summary,
        "introduced_on": pillar.introduced_on.isoformat() if pillar.introduced_on else None,
        "retired_on": pillar.retired_on.isoformat() if pillar.retired_on else None,
        "objectives": objectives,
    }


@transaction.atomic
def do_edit_pillar(
    pillar: Pillar,
    *,
    actor: Any,
    name: str,
    summary: str = "",
    objectives: list[str],
    introduced_on: date | None = None,
    retired_on: date | None = None,
) -> Pillar:
    """Rename a pillar, rewrite its objectives (in order) or retire it. Refused whole for a
    missing name, a name another pillar has, no objective or a retirement not after its
    introduction; nothing written when nothing changed; audited with before and after."""
    if not can_edit_pillars(actor):
        raise PermissionDenied("Only the unit may change the programme's pillars")
    pillar = Pillar.objects.select_for_update().get(pk=pillar.pk)
    name = name.strip()
    wanted = [o.strip() for o in objectives if o.strip()]
    if not name:
        raise ValidationError("A pillar needs a name")
    if Pillar.objects.exclude(pk=pillar.pk).filter(name__iexact=name).exists():
        raise ValidationError(f"There is already a pillar called {name!r}")
    if not wanted:
        raise ValidationError("A pillar needs at least one objective")
    if any(len(o) > 300 for o in wanted):
        raise ValidationError("An objective is at most 300 characters")
    if introduced_on is not None and retired_on is not None and retired_on <= introduced_on:
        raise ValidationError("A pillar must be retired after it was introduced")
    current = list(pillar.objectives.order_by("position").values_list("text", flat=True))
    before = _detail(pillar, current)
    pillar.name, pillar.summary = name, summary.strip()
    pillar.introduced_on, pillar.retired_on = introduced_on, retired_on
    after = _detail(pillar, wanted)
    if after == before:
        return pillar
    pillar.save()
    if wanted != current:
        pillar.objectives.all().delete()
        Objective.objects.bulk_create(
            Objective(pillar=pillar, position=i, text=text) for i, text in enumerate(wanted, 1)
        )
    keys = [k for k in after if after[k] != before[k]]
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=pillar,
        detail={
            "step": "programme.edit_pillar",
            "changed": {k: after[k] for k in keys},
            "before": {k: before[k] for k in keys},
        },
    )
    return pillar
