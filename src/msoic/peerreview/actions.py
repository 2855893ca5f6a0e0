"""Every state change of a peer review: one ``do_<verb>_<noun>`` each, atomic, audited.

Rules enforced here (views only call these):
- only the unit (national users) schedules, edits, writes findings and publishes;
- a published report is locked: its schedule, findings and good practice cannot change;
- a force moves its recommendations between open, in progress and implemented (pending
  verification); only the unit closes one, and only after the force says it is
  implemented; "not accepted" needs a reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from msoic.accounts import access
from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.peerreview import access as review_access
from msoic.peerreview.models import (
    FORCE_STATUSES,
    GoodPractice,
    PeerReview,
    Priority,
    Recommendation,
    RecommendationUpdate,
    RecStatus,
    Stage,
    TaskGroup,
    Theme,
    themes_in_use,
)

REVIEW_FIELDS = ("stage", "fieldwork_start", "fieldwork_end", "report_due", "team_names", "summary")

# The audit log's action is the s.62 kind of processing; the peer review step that did it
# is kept in the row's detail as "step". Writing review records is "alteration": the log's
# "collection" rows are the returns the pipeline stores (one per submission).
AUDIT_KIND = {
    "peerreview.schedule": AuditAction.ALTERATION,
    "peerreview.update": AuditAction.ALTERATION,
    "peerreview.publish": AuditAction.LOCK,
    "peerreview.add_recommendation": AuditAction.ALTERATION,
    "peerreview.edit_recommendation": AuditAction.ALTERATION,
    "peerreview.add_good_practice": AuditAction.ALTERATION,
    "peerreview.publish_good_practice": AuditAction.DISCLOSURE,
    "peerreview.withdraw_good_practice": AuditAction.ALTERATION,
    "peerreview.plan_recommendation": AuditAction.ALTERATION,
    "peerreview.update_recommendation": AuditAction.ALTERATION,
    "peerreview.verify_recommendation": AuditAction.APPROVE,
    "peerreview.set_task_group": AuditAction.ALTERATION,
    "peerreview.add_theme": AuditAction.ALTERATION,
    "peerreview.edit_theme": AuditAction.ALTERATION,
}


def _record(*, step: str, detail: dict[str, Any] | None = None, **kwargs: Any) -> None:
    record(action=AUDIT_KIND[step], detail={"step": step, **(detail or {})}, **kwargs)


def _require_unit(actor: Any) -> None:
    if not review_access.can_manage_peer_reviews(actor):
        raise PermissionDenied("Only the peer review team may do this")


def _require_unpublished(review: PeerReview) -> None:
    if review.is_published:
        raise ValidationError("This report is published and can no longer be edited")


@transaction.atomic
def do_schedule_peer_review(
    force: OrgUnit, *, actor: Any, team: Iterable[Any] = (), **fields: Any
) -> PeerReview:
    _require_unit(actor)
    if force.kind != OrgUnitKind.FORCE:
        raise ValidationError("A peer review is of a force")
    unknown = set(fields) - set(REVIEW_FIELDS)
    if unknown:
        raise ValueError(f"Unknown fields {sorted(unknown)}")
    if fields.get("stage") == Stage.PUBLISHED:
        raise ValidationError("Publish a review with the publish step")
    review = PeerReview.objects.create(force=force, **fields)
    review.team.set(list(team))
    _record(
        actor=actor,
        step="peerreview.schedule",
        obj=review,
        orgunit=force,
        detail={"stage": review.stage},
    )
    return review


@transaction.atomic
def do_update_peer_review(
    review: PeerReview, *, actor: Any, team: Iterable[Any] | None = None, **fields: Any
) -> PeerReview:
    _require_unit(actor)
    review = PeerReview.objects.select_for_update().get(pk=review.pk)
    _require_unpublished(review)
    unknown = set(fields) - set(REVIEW_FIELDS)
    if unknown:
        raise ValueError(f"Unknown fields {sorted(unknown)}")
    if fields.get("stage") == Stage.PUBLISHED:
        raise ValidationError("Publish a review with the publish step")
    changed = {k: str(v) for k, v in fields.items() if getattr(review, k) != v}
    for key, value in fields.items():
        setattr(review, key, value)
    review.save()
    if team is not None:
        review.team.set(list(team))
    _record(
        actor=actor,
        step="peerreview.update",
        obj=review,
        orgunit=review.force,
        detail={"changed": changed},
    )
    return review


@transaction.atomic
def do_publish_peer_review(review: PeerReview, *, actor: Any, on: date) -> PeerReview:
    _require_unit(actor)
    review = PeerReview.objects.select_for_update().get(pk=review.pk)
    _require_unpublished(review)
    if not review.recommendations.exists():
        raise ValidationError("A report needs at least one recommendation before it is published")
    review.stage = Stage.PUBLISHED
    review.published_on = on
    review.save(update_fields=["stage", "published_on"])
    _record(
        actor=actor,
        step="peerreview.publish",
        obj=review,
        orgunit=review.force,
        detail={"published_on": on.isoformat()},
    )
    return review


def _check_choice(value: str, choices: type[Priority], label: str) -> None:
    if value not in choices.values:
        raise ValidationError(f"Unknown {label} {value!r}")


def _check_theme(code: str, *, keep: str | None = None) -> None:
    """A finding's theme must be one in use today (``keep``: the finding's own theme, which
    an edit may keep though it has been retired since)."""
    if code != keep and not themes_in_use().filter(code=code).exists():
        raise ValidationError(f"Unknown theme {code!r}")


@transaction.atomic
def do_add_recommendation(
    review: PeerReview,
    *,
    actor: Any,
    theme: str,
    text: str,
    priority: str = Priority.MEDIUM,
    owner: str = "",
    due_date: date | None = None,
) -> Recommendation:
    _require_unit(actor)
    review = PeerReview.objects.select_for_update().get(pk=review.pk)
    _require_unpublished(review)
    _check_theme(theme)
    _check_choice(priority, Priority, "priority")
    if not text.strip():
        raise ValidationError("A recommendation needs its text")
    last = review.recommendations.aggregate(m=Max("number"))["m"] or 0
    rec = Recommendation.objects.create(
        review=review,
        number=last + 1,
        theme_id=theme,
        priority=priority,
        text=text.strip(),
        owner=owner,
        due_date=due_date,
    )
    _record(
        actor=actor,
        step="peerreview.add_recommendation",
        obj=rec,
        orgunit=review.force,
        detail={"number": rec.number, "theme": theme, "priority": priority},
    )
    return rec


@transaction.atomic
def do_edit_recommendation(
    rec: Recommendation, *, actor: Any, theme: str, text: str, priority: str
) -> Recommendation:
    _require_unit(actor)
    rec = Recommendation.objects.select_for_update().select_related("review__force").get(pk=rec.pk)
    _require_unpublished(rec.review)
    _check_theme(theme, keep=rec.theme_id)
    _check_choice(priority, Priority, "priority")
    if not text.strip():
        raise ValidationError("A recommendation needs its text")
    rec.theme_id, rec.text, rec.priority = theme, text.strip(), priority
    rec.save(update_fields=["theme", "text", "priority"])
    _record(
        actor=actor,
        step="peerreview.edit_recommendation",
        obj=rec,
        orgunit=rec.review.force,
        detail={"theme": theme, "priority": priority},
    )
    return rec


@transaction.atomic
def do_add_good_practice(
    review: PeerReview, *, actor: Any, theme: str, title: str, text: str
) -> GoodPractice:
    _require_unit(actor)
    review = PeerReview.objects.select_for_update().get(pk=review.pk)
    _require_unpublished(review)
    _check_theme(theme)
    if not title.strip() or not text.strip():
        raise ValidationError("Good practice needs a title and a description")
    item = GoodPractice.objects.create(
        review=review, theme_id=theme, title=title.strip(), text=text.strip()
    )
    _record(
        actor=actor,
        step="peerreview.add_good_practice",
        obj=item,
        orgunit=review.force,
        detail={"theme": theme},
    )
    return item


@transaction.atomic
def do_publish_good_practice(
    item: GoodPractice, *, actor: Any, show_source: bool, on: date
) -> GoodPractice:
    """Put an item in the library every force sees; the unit decides whether to name the
    force it came from."""
    _require_unit(actor)
    item = GoodPractice.objects.select_for_update().select_related("review__force").get(pk=item.pk)
    if not item.review.is_published:
        raise ValidationError("Publish the force's report before sharing its good practice")
    item.library_published = True
    item.library_published_on = item.library_published_on or on
    item.show_source = show_source
    item.save(update_fields=["library_published", "library_published_on", "show_source"])
    _record(
        actor=actor,
        step="peerreview.publish_good_practice",
        recipient="every force's users (good practice library)",
        obj=item,
        orgunit=item.review.force,
        detail={"show_source": show_source},
    )
    return item


@transaction.atomic
def do_withdraw_good_practice(item: GoodPractice, *, actor: Any) -> GoodPractice:
    _require_unit(actor)
    item = GoodPractice.objects.select_for_update().select_related("review__force").get(pk=item.pk)
    item.library_published = False
    item.save(update_fields=["library_published"])
    _record(
        actor=actor, step="peerreview.withdraw_good_practice", obj=item, orgunit=item.review.force
    )
    return item


@transaction.atomic
def do_plan_recommendation(
    rec: Recommendation, *, actor: Any, owner: str, due_date: date | None
) -> Recommendation:
    """Set who owns a recommendation in the force and when it is due."""
    rec = Recommendation.objects.select_for_update().select_related("review__force").get(pk=rec.pk)
    if not review_access.can_progress_recommendation(actor, rec):
        raise PermissionDenied("You may not change this recommendation")
    if rec.status in (RecStatus.CLOSED, RecStatus.NOT_ACCEPTED):
        raise ValidationError("This recommendation is closed")
    rec.owner, rec.due_date = owner.strip(), due_date
    rec.save(update_fields=["owner", "due_date"])
    _record(
        actor=actor,
        step="peerreview.plan_recommendation",
        obj=rec,
        orgunit=rec.review.force,
        detail={"owner": rec.owner, "due_date": due_date.isoformat() if due_date else ""},
    )
    return rec


@transaction.atomic
def do_update_recommendation(
    rec: Recommendation,
    *,
    actor: Any,
    status: str,
    on: date,
    note: str = "",
    evidence: str = "",
    reason: str = "",
) -> RecommendationUpdate:
    """Record progress: a dated update with its status, narrative and evidence."""
    rec = Recommendation.objects.select_for_update().select_related("review__force").get(pk=rec.pk)
    if not review_access.can_progress_recommendation(actor, rec):
        raise PermissionDenied("You may not change this recommendation")
    if status not in RecStatus.values:
        raise ValidationError(f"Unknown status {status!r}")
    unit = review_access.can_manage_peer_reviews(actor)
    if rec.status == RecStatus.CLOSED:
        raise ValidationError("This recommendation is verified closed")
    if rec.status == RecStatus.NOT_ACCEPTED and not unit:
        raise ValidationError("This recommendation was not accepted; only the unit can reopen it")
    if status == RecStatus.CLOSED:
        if not unit:
            raise PermissionDenied("Only the unit verifies and closes a recommendation")
        if rec.status != RecStatus.IMPLEMENTED:
            raise ValidationError(
                "A recommendation is closed only after the force reports it implemented "
                "and the unit verifies it"
            )
        if not evidence.strip() and not rec.updates.exclude(evidence="").exists():
            raise ValidationError("Closing needs the evidence that was verified")
    elif status == RecStatus.NOT_ACCEPTED:
        if not unit:
            raise PermissionDenied("Only the unit records a recommendation as not accepted")
        if not reason.strip():
            raise ValidationError("Say why the recommendation is not accepted")
    elif status not in FORCE_STATUSES:
        raise ValidationError(f"Unknown status {status!r}")
    if status == RecStatus.IMPLEMENTED and not evidence.strip():
        raise ValidationError("Give the evidence that it is implemented")
    update = RecommendationUpdate.objects.create(
        recommendation=rec,
        on=on,
        author=actor if getattr(actor, "pk", None) else None,
        status_from=rec.status,
        status_to=status,
        note=note.strip(),
        evidence=evidence.strip(),
    )
    rec.status = status
    fields = ["status"]
    if status == RecStatus.CLOSED:
        rec.verified_by, rec.verified_on = actor, on
        fields += ["verified_by", "verified_on"]
    if status == RecStatus.NOT_ACCEPTED:
        rec.reason = reason.strip()
        fields.append("reason")
    rec.save(update_fields=fields)
    _record(
        actor=actor,
        step="peerreview.verify_recommendation"
        if status == RecStatus.CLOSED
        else "peerreview.update_recommendation",
        obj=rec,
        orgunit=rec.review.force,
        detail={"from": update.status_from, "to": status, "on": on.isoformat()},
    )
    return update


@transaction.atomic
def do_set_task_group(force: OrgUnit, *, actor: Any, chair: str, members: str) -> TaskGroup:
    """Set up or change a force's task-and-finish group (the force itself or the unit)."""
    if not (review_access.can_manage_peer_reviews(actor) or access.can_write_orgunit(actor, force)):
        raise PermissionDenied("You may not change this force's group")
    if not chair.strip():
        raise ValidationError("The group needs a chair")
    group, created = TaskGroup.objects.update_or_create(
        force=force, defaults={"chair": chair.strip(), "members": members.strip()}
    )
    _record(
        actor=actor,
        step="peerreview.set_task_group",
        obj=group,
        orgunit=force,
        detail={"created": created, "members": len(group.member_list())},
    )
    return group


# --- themes ---------------------------------------------------------------------------

THEME_FIELDS = ("label", "position", "introduced_on", "retired_on")


def _theme_detail(theme: Theme) -> dict[str, Any]:
    return {
        "label": theme.label,
        "position": theme.position,
        "introduced_on": theme.introduced_on.isoformat() if theme.introduced_on else None,
        "retired_on": theme.retired_on.isoformat() if theme.retired_on else None,
    }


def _check_theme_fields(fields: dict[str, Any], *, exclude: str | None = None) -> None:
    label = str(fields.get("label") or "").strip()
    if not label:
        raise ValidationError("A theme needs a name")
    if Theme.objects.exclude(code=exclude).filter(label__iexact=label).exists():
        raise ValidationError(f"There is already a theme called {label!r}")
    start, end = fields.get("introduced_on"), fields.get("retired_on")
    if start is not None and end is not None and end <= start:
        raise ValidationError("A theme must be retired after it was introduced")


@transaction.atomic
def do_add_theme(*, actor: Any, code: str, **fields: Any) -> Theme:
    """A new theme for peer reviews (the unit only): audited with what it holds."""
    _require_unit(actor)
    code = code.strip().lower()
    if not code or not all(c.isalnum() or c in "-_" for c in code) or len(code) > 16:
        raise ValidationError("A theme's code is up to 16 letters, digits, '-' or '_'")
    if Theme.objects.filter(code=code).exists():
        raise ValidationError(f"There is already a theme with the code {code!r}")
    _check_theme_fields(fields)
    theme = Theme.objects.create(
        code=code, **{k: fields.get(k) for k in THEME_FIELDS if fields.get(k) is not None}
    )
    theme.label = theme.label.strip()
    theme.save(update_fields=["label"])
    _record(
        actor=actor,
        step="peerreview.add_theme",
        obj=theme,
        detail={"changed": _theme_detail(theme), "created": True},
    )
    return theme


@transaction.atomic
def do_edit_theme(theme: Theme, *, actor: Any, **fields: Any) -> Theme:
    """Rename, reorder, introduce or retire a theme (the unit only): audited with the
    fields before and after; nothing written when nothing changed. Its findings keep it."""
    _require_unit(actor)
    theme = Theme.objects.select_for_update().get(pk=theme.pk)
    _check_theme_fields(fields, exclude=theme.code)
    before = _theme_detail(theme)
    theme.label = str(fields["label"]).strip()
    theme.position = int(fields.get("position") or 0)
    theme.introduced_on = fields.get("introduced_on")
    theme.retired_on = fields.get("retired_on")
    after = _theme_detail(theme)
    if after == before:
        return theme
    theme.save(update_fields=list(THEME_FIELDS))
    keys = [k for k in after if after[k] != before[k]]
    _record(
        actor=actor,
        step="peerreview.edit_theme",
        obj=theme,
        detail={"changed": {k: after[k] for k in keys}, "before": {k: before[k] for k in keys}},
    )
    return theme
