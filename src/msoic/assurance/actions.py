"""Every state change of benchmarking: each ``do_<verb>_<noun>`` runs in a transaction and
writes its audit row. Rules refused here hold however the change arrives (web, command, demo).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from msoic.assurance.models import (
    Assessment,
    AssessmentStatus,
    Campaign,
    DeliveryStatus,
    EvidenceAttachment,
    FrameworkVersion,
    Grade,
    InterventionStatus,
    PackageStatus,
    Standard,
    SupportItem,
    SupportOffer,
    SupportPackage,
    ThematicIntervention,
)
from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.orgunits.models import OrgUnit, OrgUnitKind


class AssessmentError(ValueError):
    """A change the rules refuse; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class NeedsAcknowledgement(AssessmentError):
    """Submission stopped on warnings the force must acknowledge (Green without evidence)."""


@dataclass(frozen=True)
class GradeEntry:
    grade: str = ""
    evidence: str = ""
    planned_actions: str = ""


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _refuse_unless_editable(assessment: Assessment) -> None:
    if assessment.is_locked:
        raise AssessmentError(["This assessment is finalised and locked; it cannot be changed."])
    if not assessment.is_editable:
        raise AssessmentError(["This assessment has been submitted; it can no longer be edited."])


def do_open_campaign(
    framework_version: FrameworkVersion,
    name: str,
    deadline: date,
    forces: Iterable[OrgUnit],
    *,
    actor: Any,
    start_from_previous: bool = True,
) -> Campaign:
    """Open a campaign and a draft assessment for each force taking part, each pre-filled
    from the force's previous assessment when there is one (and ``start_from_previous``)."""
    forces = list(forces)
    bad = [f.code for f in forces if f.kind != OrgUnitKind.FORCE]
    if bad or not forces:
        raise AssessmentError(
            [
                f"Only forces take part in a campaign (not {bad})"
                if bad
                else "Choose at least one force."
            ]
        )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            framework_version=framework_version,
            deadline=deadline,
            opened_by=_actor_user(actor),
        )
        standards = list(framework_version.standards.all())
        for force in forces:
            assessment = Assessment.objects.create(campaign=campaign, orgunit=force)
            Grade.objects.bulk_create(Grade(assessment=assessment, standard=s) for s in standards)
            if start_from_previous:
                previous = previous_assessment(assessment)
                if previous is not None:
                    _copy_from(assessment, previous)
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=campaign,
            detail={
                "step": "open_campaign",
                "framework": str(framework_version),
                "forces": sorted(f.code for f in forces),
                "deadline": deadline.isoformat(),
            },
        )
    return campaign


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The same force's assessment in the most recent earlier campaign."""
    return (
        Assessment.objects.filter(
            orgunit_id=assessment.orgunit_id,
            campaign__deadline__lt=assessment.campaign.deadline,
        )
        .select_related("campaign__framework_version")
        .order_by("-campaign__deadline")
        .first()
    )


def _copy_from(assessment: Assessment, previous: Assessment) -> int:
    """Copy grades, evidence and actions across, following each standard's ``maps_from``
    (or the same reference) into the earlier version. Returns how many standards were filled."""
    old = {g.standard.reference: g for g in previous.grades.select_related("standard")}
    filled = 0
    scale = set(assessment.campaign.framework_version.grade_codes)
    for grade in assessment.grades.select_related("standard"):
        refs = grade.standard.maps_from or [grade.standard.reference]
        sources = [old[r] for r in refs if r in old]
        if not sources:
            continue
        final = [s.final_grade for s in sources if s.final_grade in scale]
        grade.grade = final[0] if len(set(final)) == 1 else ""
        grade.evidence = "\n\n".join(s.evidence for s in sources if s.evidence)
        grade.planned_actions = "\n\n".join(s.planned_actions for s in sources if s.planned_actions)
        grade.save(update_fields=["grade", "evidence", "planned_actions"])
        filled += 1
    assessment.started_from = previous
    assessment.save(update_fields=["started_from"])
    return filled


def do_save_grades(
    assessment: Assessment, entries: Mapping[int, GradeEntry], *, actor: Any
) -> Assessment:
    """Save a draft: grades (each on the framework's scale, or blank), evidence and actions,
    keyed by standard id."""
    _refuse_unless_editable(assessment)
    version = assessment.campaign.framework_version
    scale = set(version.grade_codes)
    problems = []
    grades = {g.standard_id: g for g in assessment.grades.select_related("standard")}
    for standard_id, entry in entries.items():
        if standard_id not in grades:
            problems.append(f"Standard {standard_id} is not in this framework.")
        elif entry.grade and entry.grade not in scale:
            problems.append(
                f"{grades[standard_id].standard.reference}: {entry.grade!r} is not a grade on "
                f"the scale ({', '.join(version.grade_codes)})."
            )
    if problems:
        raise AssessmentError(problems)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _refuse_unless_editable(locked)
        changed = []
        for standard_id, entry in entries.items():
            g = grades[standard_id]
            new = (entry.grade, entry.evidence.strip(), entry.planned_actions.strip())
            if (g.grade, g.evidence, g.planned_actions) != new:
                g.grade, g.evidence, g.planned_actions = new
                changed.append(g)
        Grade.objects.bulk_update(changed, ["grade", "evidence", "planned_actions"])
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=assessment,
            orgunit=assessment.orgunit,
            detail={"step": "save_grades", "standards": [g.standard.reference for g in changed]},
        )
    return assessment


def submission_problems(assessment: Assessment) -> tuple[list[str], list[str]]:
    """(errors, warnings) that stand in the way of submitting."""
    version = assessment.campaign.framework_version
    grades = list(assessment.grades.select_related("standard"))
    errors: list[str] = []
    ungraded = [g.standard.reference for g in grades if not g.grade]
    if ungraded:
        errors.append(f"{len(ungraded)} standard(s) not graded: {', '.join(ungraded)}.")
    green = version.grade_codes[-1]
    bare = [g.standard.reference for g in grades if g.grade == green and not g.evidence.strip()]
    warnings: list[str] = []
    if bare:
        message = f"{version.grade_label(green)} without evidence: {', '.join(bare)}."
        (errors if version.green_without_evidence_is_error else warnings).append(message)
    return errors, warnings


def do_submit_assessment(
    assessment: Assessment, *, actor: Any, acknowledge_warnings: bool = False
) -> Assessment:
    _refuse_unless_editable(assessment)
    errors, warnings = submission_problems(assessment)
    if errors:
        raise AssessmentError(errors)
    if warnings and not acknowledge_warnings:
        raise NeedsAcknowledgement(warnings)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _refuse_unless_editable(locked)
        assessment.status = AssessmentStatus.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.submitted_by = _actor_user(actor)
        assessment.green_without_evidence_acknowledged = bool(warnings)
        assessment.save(
            update_fields=[
                "status",
                "submitted_at",
                "submitted_by",
                "green_without_evidence_acknowledged",
            ]
        )
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=assessment,
            orgunit=assessment.orgunit,
            detail={"step": "submit_assessment", "acknowledged": warnings},
        )
    return assessment


def do_challenge_grade(grade: Grade, agreed_grade: str, reason: str, *, actor: Any) -> Grade:
    """The coordinator (or unit) records the agreed grade and why, beside the self-grade."""
    assessment = grade.assessment
    if assessment.status not in (AssessmentStatus.SUBMITTED, AssessmentStatus.REVIEWED):
        raise AssessmentError(
            ["Only a submitted assessment that is not finalised can have grades challenged."]
        )
    version = assessment.campaign.framework_version
    problems = []
    if agreed_grade not in version.grade_codes:
        problems.append(f"{agreed_grade!r} is not a grade on the scale.")
    if not reason.strip():
        problems.append("Give the reason for the agreed grade.")
    if problems:
        raise AssessmentError(problems)
    with transaction.atomic():
        grade.agreed_grade = "" if agreed_grade == grade.grade else agreed_grade
        grade.challenge_reason = reason.strip() if grade.agreed_grade else ""
        grade.challenged_by = _actor_user(actor) if grade.agreed_grade else None
        grade.save(update_fields=["agreed_grade", "challenge_reason", "challenged_by"])
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=assessment,
            orgunit=assessment.orgunit,
            justification=reason.strip(),
            detail={
                "step": "challenge_grade",
                "standard": grade.standard.reference,
                "self_grade": grade.grade,
                "agreed_grade": agreed_grade,
            },
        )
    return grade


def do_review_assessment(assessment: Assessment, *, actor: Any) -> Assessment:
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise AssessmentError(["Only a submitted assessment can be marked as reviewed."])
    with transaction.atomic():
        assessment.status = AssessmentStatus.REVIEWED
        assessment.reviewed_at = timezone.now()
        assessment.reviewed_by = _actor_user(actor)
        assessment.save(update_fields=["status", "reviewed_at", "reviewed_by"])
        record(
            actor=actor,
            action=AuditAction.APPROVE,
            obj=assessment,
            orgunit=assessment.orgunit,
            detail={"step": "review_assessment"},
        )
    return assessment


def do_finalise_assessment(assessment: Assessment, *, actor: Any) -> Assessment:
    if assessment.status not in (AssessmentStatus.SUBMITTED, AssessmentStatus.REVIEWED):
        raise AssessmentError(["Only a submitted assessment can be finalised."])
    with transaction.atomic():
        assessment.status = AssessmentStatus.FINALISED
        assessment.finalised_at = timezone.now()
        assessment.finalised_by = _actor_user(actor)
        assessment.save(update_fields=["status", "finalised_at", "finalised_by"])
        record(
            actor=actor,
            action=AuditAction.LOCK,
            obj=assessment,
            orgunit=assessment.orgunit,
            detail={"step": "finalise_assessment"},
        )
    return assessment


def standards_of(assessment: Assessment) -> list[Standard]:
    return list(assessment.campaign.framework_version.standards.all())


def do_accept_intervention(
    campaign: Campaign, standard: Standard, *, actor: Any
) -> ThematicIntervention:
    """The unit takes up a proposed thematic intervention (a standard over the threshold)."""
    from msoic.assurance.collation import collate

    if standard.framework_version_id != campaign.framework_version_id:
        raise AssessmentError(["That standard is not in this campaign's framework."])
    proposals = dict((s.pk, reason) for s, reason in collate(campaign).over_threshold())
    if standard.pk not in proposals:
        raise AssessmentError(
            [f"{standard.reference} is not over the intervention threshold in this campaign."]
        )
    if ThematicIntervention.objects.filter(campaign=campaign, standard=standard).exists():
        raise AssessmentError([f"{standard.reference} is already a thematic intervention."])
    with transaction.atomic():
        intervention = ThematicIntervention.objects.create(
            campaign=campaign,
            standard=standard,
            reason=proposals[standard.pk],
            accepted_by=_actor_user(actor),
        )
        record(
            actor=actor,
            action=AuditAction.APPROVE,
            obj=intervention,
            detail={"step": "accept_intervention", "standard": standard.reference},
        )
    return intervention


def do_update_intervention(
    intervention: ThematicIntervention,
    *,
    status: str,
    plan: str,
    lead: str,
    due: date | None,
    actor: Any,
) -> ThematicIntervention:
    if status not in InterventionStatus.values:
        raise AssessmentError([f"{status!r} is not an intervention status."])
    if status in (InterventionStatus.PLANNED, InterventionStatus.IN_PROGRESS) and not plan.strip():
        raise AssessmentError(["Write the plan before marking the intervention planned."])
    with transaction.atomic():
        before = intervention.status
        intervention.status = status
        intervention.plan = plan.strip()
        intervention.lead = lead.strip()
        intervention.due = due
        intervention.updated_at = timezone.now()
        intervention.save()
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=intervention,
            detail={"step": "update_intervention", "from": before, "to": status},
        )
    return intervention


# --- support packages --------------------------------------------------------------


def weak_standards(assessment: Assessment) -> list[str]:
    """References the force's final grades put in the two lowest grades (Red and Amber)."""
    weak = set(assessment.campaign.framework_version.grade_codes[:2])
    return [
        g.standard.reference
        for g in assessment.grades.select_related("standard")
        if g.final_grade in weak
    ]


def do_propose_support_package(assessment: Assessment, *, actor: Any) -> SupportPackage:
    """Propose a package: every active offer mapped to one of the force's Red or Amber
    standards (following the standard's ``maps_from`` too, for offers written earlier)."""
    if assessment.status == AssessmentStatus.DRAFT:
        raise AssessmentError(["Propose support once the assessment has been submitted."])
    if SupportPackage.objects.filter(assessment=assessment).exists():
        raise AssessmentError(["This force already has a support package for this campaign."])
    grades = assessment.grades.select_related("standard")
    weak_codes = set(assessment.campaign.framework_version.grade_codes[:2])
    aliases: dict[str, str] = {}
    for g in grades:
        if g.final_grade in weak_codes:
            for ref in [g.standard.reference, *g.standard.maps_from]:
                aliases[ref] = g.standard.reference
    with transaction.atomic():
        package = SupportPackage.objects.create(assessment=assessment)
        items = []
        for offer in SupportOffer.objects.filter(active=True):
            met = sorted({aliases[r] for r in offer.standards if r in aliases})
            if met:
                items.append(SupportItem(package=package, offer=offer, standards=met))
        SupportItem.objects.bulk_create(items)
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=package,
            orgunit=assessment.orgunit,
            detail={"step": "propose_support", "offers": [i.offer.code for i in items]},
        )
    return package


def _refuse_if_agreed(package: SupportPackage) -> None:
    if package.status == PackageStatus.AGREED:
        raise AssessmentError(["This support package is agreed; it can no longer be edited."])


def do_add_support_offer(
    package: SupportPackage, offer: SupportOffer, *, actor: Any
) -> SupportItem:
    _refuse_if_agreed(package)
    if package.items.filter(offer=offer).exists():
        raise AssessmentError([f"{offer.title} is already in the package."])
    with transaction.atomic():
        item = SupportItem.objects.create(package=package, offer=offer, standards=[])
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=package,
            orgunit=package.assessment.orgunit,
            detail={"step": "add_support_offer", "offer": offer.code},
        )
    return item


def do_remove_support_item(item: SupportItem, *, actor: Any) -> None:
    package = item.package
    _refuse_if_agreed(package)
    with transaction.atomic():
        code = item.offer.code
        item.delete()
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=package,
            orgunit=package.assessment.orgunit,
            detail={"step": "remove_support_offer", "offer": code},
        )


def do_agree_support_package(package: SupportPackage, *, actor: Any) -> SupportPackage:
    _refuse_if_agreed(package)
    if not package.items.exists():
        raise AssessmentError(["Add at least one support offer before agreeing the package."])
    with transaction.atomic():
        package.status = PackageStatus.AGREED
        package.agreed_at = timezone.now()
        package.agreed_by = _actor_user(actor)
        package.save(update_fields=["status", "agreed_at", "agreed_by"])
        record(
            actor=actor,
            action=AuditAction.APPROVE,
            obj=package,
            orgunit=package.assessment.orgunit,
            detail={"step": "agree_support"},
        )
    return package


def do_record_support_delivery(
    item: SupportItem, delivery: str, delivered_on: date | None, *, actor: Any
) -> SupportItem:
    if item.package.status != PackageStatus.AGREED:
        raise AssessmentError(["Track delivery once the package is agreed."])
    if delivery not in DeliveryStatus.values:
        raise AssessmentError([f"{delivery!r} is not a delivery status."])
    if delivery == DeliveryStatus.DELIVERED and delivered_on is None:
        raise AssessmentError(["Give the date the support was delivered."])
    with transaction.atomic():
        item.delivery = delivery
        item.delivered_on = delivered_on if delivery == DeliveryStatus.DELIVERED else None
        item.save(update_fields=["delivery", "delivered_on"])
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=item.package,
            orgunit=item.package.assessment.orgunit,
            detail={"step": "support_delivery", "offer": item.offer.code, "delivery": delivery},
        )
    return item


# --- evidence attachments ----------------------------------------------------------


def do_attach_evidence(
    assessment: Assessment, standard_id: int, name: str, data: bytes, *, actor: Any
) -> EvidenceAttachment:
    """Attach a file to a draft's standard, after checking its type and size."""
    import hashlib

    from msoic.assurance.attachments import check_file

    _refuse_unless_editable(assessment)
    grade = assessment.grades.filter(standard_id=standard_id).select_related("standard").first()
    if grade is None:
        raise AssessmentError(["Choose a standard of this framework."])
    safe_name = (name.replace("\\", "/").rsplit("/", 1)[-1] or "evidence")[:255]
    problem, kind = check_file(safe_name, data)
    if problem:
        raise AssessmentError([problem])
    with transaction.atomic():
        attachment = EvidenceAttachment.objects.create(
            grade=grade,
            name=safe_name,
            kind=kind,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            content=data,
            uploaded_by=_actor_user(actor),
        )
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=assessment,
            orgunit=assessment.orgunit,
            detail={
                "step": "attach_evidence",
                "standard": grade.standard.reference,
                "file": safe_name,
                "file_sha256": attachment.sha256,
            },
        )
    return attachment


def do_remove_attachment(attachment: EvidenceAttachment, *, actor: Any) -> None:
    assessment = attachment.grade.assessment
    _refuse_unless_editable(assessment)
    with transaction.atomic():
        record(
            actor=actor,
            action=AuditAction.ERASURE,
            obj=assessment,
            orgunit=assessment.orgunit,
            detail={"step": "remove_evidence", "file": attachment.name},
        )
        attachment.delete()
