"""Benchmarking fixtures: a small campaign with Kent, Essex and Cleveland taking part."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from msoic.assurance.actions import (
    GradeEntry,
    do_open_campaign,
    do_save_grades,
    do_submit_assessment,
)
from msoic.assurance.models import Assessment, Campaign, FrameworkVersion
from msoic.orgunits.models import OrgUnit

CAMPAIGN_FORCES = ("kent", "essex", "cleveland")


def framework() -> FrameworkVersion:
    return FrameworkVersion.objects.get(framework="nsts", version="2023-24")


def open_campaign(actor: Any, forces: tuple[str, ...] = CAMPAIGN_FORCES, **kw: Any) -> Campaign:
    return do_open_campaign(
        kw.pop("version", None) or framework(),
        kw.pop("name", "Benchmarking 2023/24"),
        kw.pop("deadline", date(2024, 3, 31)),
        OrgUnit.objects.filter(code__in=forces),
        actor=actor,
        **kw,
    )


def grade_all(
    assessment: Assessment, actor: Any, grade: str = "amber", evidence: str = "Minutes"
) -> None:
    entries = {
        s.pk: GradeEntry(grade=grade, evidence=evidence, planned_actions="")
        for s in assessment.campaign.framework_version.standards.all()
    }
    do_save_grades(assessment, entries, actor=actor)


@pytest.fixture
def campaign(personas: dict[str, Any]) -> Campaign:
    return open_campaign(personas["national"])


@pytest.fixture
def assessments(campaign: Campaign) -> dict[str, Assessment]:
    return {a.orgunit.code: a for a in campaign.assessments.select_related("orgunit")}


def submitted_campaign(
    actor: Any,
    grades: dict[str, dict[str, str]],
    default: str = "green",
    **kw: Any,
) -> Campaign:
    """A campaign whose forces (the keys) have submitted: every standard ``default`` except
    the references given per force ({"kent": {"LG1": "red"}})."""
    campaign = open_campaign(actor, tuple(grades), **kw)
    standards = list(campaign.framework_version.standards.all())
    for a in campaign.assessments.select_related("orgunit"):
        overrides = grades[a.orgunit.code]
        entries = {
            s.pk: GradeEntry(grade=overrides.get(s.reference, default), evidence="Evidence")
            for s in standards
        }
        do_save_grades(a, entries, actor=actor)
        do_submit_assessment(a, actor=actor)
    return campaign
