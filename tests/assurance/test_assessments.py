"""Benchmarking assessments: the rules of filling in, submitting, challenging, finalising."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from msoic.assurance.actions import (
    AssessmentError,
    GradeEntry,
    NeedsAcknowledgement,
    do_challenge_grade,
    do_finalise_assessment,
    do_open_campaign,
    do_review_assessment,
    do_save_grades,
    do_submit_assessment,
)
from msoic.assurance.loader import load_framework_text
from msoic.assurance.models import Assessment, AssessmentStatus
from msoic.audit.models import AuditEvent
from msoic.orgunits.models import OrgUnit
from tests.assurance.conftest import framework, grade_all, open_campaign

pytestmark = pytest.mark.django_db


def first_standard(a: Assessment) -> Any:
    return a.campaign.framework_version.standards.first()


def test_opening_a_campaign_gives_each_force_a_draft_with_every_standard(
    assessments: dict[str, Assessment],
) -> None:
    assert set(assessments) == {"kent", "essex", "cleveland"}
    kent = assessments["kent"]
    assert kent.status == AssessmentStatus.DRAFT
    assert kent.grades.count() == 47
    assert AuditEvent.objects.filter(detail__step="open_campaign").count() == 1


def test_only_forces_take_part(personas: dict[str, Any]) -> None:
    with pytest.raises(AssessmentError, match="Only forces"):
        do_open_campaign(
            framework(),
            "x",
            date(2024, 3, 31),
            OrgUnit.objects.filter(code="eastern"),
            actor=personas["national"],
        )


@pytest.mark.parametrize("bad", ["purple", "RED", "4", "Green"])
def test_a_grade_outside_the_scale_is_refused(
    assessments: dict[str, Assessment], kent_user: Any, bad: str
) -> None:
    kent = assessments["kent"]
    s = first_standard(kent)
    with pytest.raises(AssessmentError, match="not a grade on the scale"):
        do_save_grades(kent, {s.pk: GradeEntry(grade=bad)}, actor=kent_user)
    assert kent.grades.get(standard=s).grade == ""


def test_saving_a_draft_keeps_grades_evidence_and_actions(
    assessments: dict[str, Assessment], kent_user: Any
) -> None:
    kent = assessments["kent"]
    s = first_standard(kent)
    do_save_grades(
        kent, {s.pk: GradeEntry("green", " Board minutes ", "Keep it up")}, actor=kent_user
    )
    g = kent.grades.get(standard=s)
    assert (g.grade, g.evidence, g.planned_actions) == ("green", "Board minutes", "Keep it up")
    assert AuditEvent.objects.filter(detail__step="save_grades", orgunit_code="kent").exists()


def test_submitting_with_standards_ungraded_is_refused(
    assessments: dict[str, Assessment], kent_user: Any
) -> None:
    kent = assessments["kent"]
    s = first_standard(kent)
    do_save_grades(kent, {s.pk: GradeEntry("red", "x")}, actor=kent_user)
    with pytest.raises(AssessmentError, match="46 standard"):
        do_submit_assessment(kent, actor=kent_user)
    kent.refresh_from_db()
    assert kent.status == AssessmentStatus.DRAFT


def test_green_without_evidence_needs_acknowledging(
    assessments: dict[str, Assessment], kent_user: Any
) -> None:
    kent = assessments["kent"]
    grade_all(kent, kent_user, grade="green", evidence="")
    with pytest.raises(NeedsAcknowledgement, match="Green without evidence: LG1"):
        do_submit_assessment(kent, actor=kent_user)
    kent.refresh_from_db()
    assert kent.status == AssessmentStatus.DRAFT
    do_submit_assessment(kent, actor=kent_user, acknowledge_warnings=True)
    kent.refresh_from_db()
    assert kent.status == AssessmentStatus.SUBMITTED
    assert kent.green_without_evidence_acknowledged


def test_green_without_evidence_is_an_error_where_the_framework_says_so(
    personas: dict[str, Any],
) -> None:
    text = (
        framework()
        .source.replace("green_without_evidence: warning", "green_without_evidence: error")
        .replace('version: "2023-24"', 'version: "strict"')
    )
    strict, _ = load_framework_text("strict.yaml", text)
    campaign = do_open_campaign(
        strict,
        "Strict",
        date(2025, 3, 31),
        OrgUnit.objects.filter(code="kent"),
        actor=personas["national"],
    )
    kent = campaign.assessments.get()
    grade_all(kent, personas["kent"], grade="green", evidence="")
    with pytest.raises(AssessmentError) as exc:
        do_submit_assessment(kent, actor=personas["kent"], acknowledge_warnings=True)
    assert not isinstance(exc.value, NeedsAcknowledgement)


def test_submitted_assessment_cannot_be_edited(
    assessments: dict[str, Assessment], kent_user: Any
) -> None:
    kent = assessments["kent"]
    grade_all(kent, kent_user)
    do_submit_assessment(kent, actor=kent_user)
    with pytest.raises(AssessmentError, match="submitted"):
        grade_all(kent, kent_user, grade="green")


def test_coordinator_challenge_keeps_agreed_grade_beside_self_grade(
    assessments: dict[str, Assessment], kent_user: Any, eastern_coordinator: Any
) -> None:
    kent = assessments["kent"]
    grade_all(kent, kent_user, grade="green")
    with pytest.raises(AssessmentError, match="submitted"):
        do_challenge_grade(kent.grades.first(), "amber", "why", actor=eastern_coordinator)
    do_submit_assessment(kent, actor=kent_user)
    g = kent.grades.select_related("standard").first()
    with pytest.raises(AssessmentError, match="reason"):
        do_challenge_grade(g, "amber", "  ", actor=eastern_coordinator)
    with pytest.raises(AssessmentError, match="not a grade"):
        do_challenge_grade(g, "blue", "because", actor=eastern_coordinator)
    do_challenge_grade(g, "amber", "No minutes since March", actor=eastern_coordinator)
    g.refresh_from_db()
    assert (g.grade, g.agreed_grade, g.final_grade) == ("green", "amber", "amber")
    assert g.challenge_reason == "No minutes since March"
    assert AuditEvent.objects.get(detail__step="challenge_grade").justification == (
        "No minutes since March"
    )


def test_finalising_locks_the_assessment(
    assessments: dict[str, Assessment],
    kent_user: Any,
    eastern_coordinator: Any,
    national_analyst: Any,
) -> None:
    kent = assessments["kent"]
    grade_all(kent, kent_user)
    with pytest.raises(AssessmentError, match="Only a submitted"):
        do_finalise_assessment(kent, actor=national_analyst)
    do_submit_assessment(kent, actor=kent_user)
    do_review_assessment(kent, actor=eastern_coordinator)
    do_finalise_assessment(kent, actor=national_analyst)
    kent.refresh_from_db()
    assert kent.is_locked
    with pytest.raises(AssessmentError, match="finalised and locked"):
        grade_all(kent, national_analyst, grade="red")
    with pytest.raises(AssessmentError):
        do_challenge_grade(kent.grades.first(), "red", "late", actor=national_analyst)
    assert AuditEvent.objects.filter(action="lock", detail__step="finalise_assessment").exists()


def test_new_campaign_starts_from_the_previous_assessment_following_the_mapping(
    personas: dict[str, Any],
) -> None:
    old = open_campaign(personas["national"], ("kent",), deadline=date(2023, 3, 31))
    kent_old = old.assessments.get()
    grade_all(kent_old, personas["kent"], grade="red", evidence="Old evidence")
    lg1 = kent_old.grades.get(standard__reference="LG1")
    lg1.grade, lg1.agreed_grade = "red", "amber"
    lg1.save()
    text = framework().source.replace(
        'version: "2023-24"', 'version: "2024-25"\nprevious_version: "2023-24"'
    )
    text = text.replace("{ref: LG1, area: LG,", "{ref: LG1a, area: LG, maps_from: [LG1],")
    new_version, _ = load_framework_text("next.yaml", text)
    new = do_open_campaign(
        new_version,
        "2024/25",
        date(2025, 3, 31),
        OrgUnit.objects.filter(code="kent"),
        actor=personas["national"],
    )
    kent_new = new.assessments.get()
    assert kent_new.started_from == kent_old
    renamed = kent_new.grades.get(standard__reference="LG1a")
    assert (renamed.grade, renamed.evidence) == ("amber", "Old evidence")
    assert kent_new.grades.get(standard__reference="TR8").grade == "red"
    assert old.framework_version.version == "2023-24"  # the old campaign keeps its version
