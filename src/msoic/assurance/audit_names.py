"""Names of benchmarking self-assessments in the audit log (msoic.audit.names), linked to
the assessment, for those the viewer may see. One query whatever the number of rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.accounts.access import is_national
from msoic.assurance import access as assurance_access
from msoic.assurance.models import Campaign, FrameworkVersion, SupportPackage, ThematicIntervention
from msoic.audit.names import Named, namer

if TYPE_CHECKING:
    from msoic.accounts.models import User


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


@namer("assurance.assessment")
def name_assessments(viewer: User, ids: list[str]) -> dict[str, Named]:
    assessments = (
        assurance_access.assessments_visible_to(viewer)
        .filter(pk__in=[int(i) for i in ids if i.isdigit()])
        .select_related("orgunit", "campaign")
    )
    return {
        str(a.pk): Named(
            f"Self-assessment of {a.orgunit.name}, {a.campaign.name}",
            reverse("benchmarking-assessment", args=[a.pk]),
        )
        for a in assessments
    }


# The framework, campaigns, interventions and support packages are the unit's: named for
# its national users, who alone read the log; others keep the raw reference.


@namer("assurance.frameworkversion")
def name_framework_versions(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):
        return {}
    return {
        str(v.pk): Named(f"Benchmarking framework {v.title}, version {v.version}")
        for v in FrameworkVersion.objects.filter(pk__in=_ints(ids))
    }


@namer("assurance.campaign")
def name_campaigns(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):
        return {}
    return {
        str(c.pk): Named(
            f"Benchmarking campaign “{c.name}”", reverse("benchmarking-campaign", args=[c.pk])
        )
        for c in Campaign.objects.filter(pk__in=_ints(ids))
    }


@namer("assurance.thematicintervention")
def name_interventions(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):
        return {}
    interventions = ThematicIntervention.objects.filter(pk__in=_ints(ids)).select_related(
        "campaign", "standard"
    )
    return {
        str(i.pk): Named(
            f"Thematic intervention on standard {i.standard.reference}, {i.campaign.name}",
            reverse("benchmarking-intervention", args=[i.pk]),
        )
        for i in interventions
    }


@namer("assurance.supportpackage")
def name_support_packages(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):
        return {}
    packages = SupportPackage.objects.filter(pk__in=_ints(ids)).select_related(
        "assessment__orgunit", "assessment__campaign"
    )
    return {
        str(p.pk): Named(
            f"Support package for {p.assessment.orgunit.name}, {p.assessment.campaign.name}",
            reverse("benchmarking-support", args=[p.assessment_id]),
        )
        for p in packages
    }
