"""Names of reports in the audit log (msoic.audit.names): "Annual report, FY2023-24",
linked to the report's page, for the reports the viewer may see; templates and builds for
the unit. One query per kind whatever the number of rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.audit.names import Named, namer
from msoic.reports import access
from msoic.reports.models import Build, ReportTemplate

if TYPE_CHECKING:
    from msoic.accounts.models import User


def _ids(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


@namer("reports.edition")
def name_editions(viewer: User, ids: list[str]) -> dict[str, Named]:
    visible = access.editions_visible_to(viewer).filter(pk__in=_ids(ids)).select_related("template")
    return {
        str(e.pk): Named(f"{e.title}, {e.period}", reverse("reports-edition", args=[e.pk]))
        for e in visible
    }


@namer("reports.reporttemplate")
def name_templates(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not access.can_manage_reports(viewer):
        return {}
    return {
        str(t.pk): Named(f"Report template {t.name}", reverse("reports-template", args=[t.name]))
        for t in ReportTemplate.objects.filter(pk__in=_ids(ids))
    }


@namer("reports.build")
def name_builds(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not access.can_manage_reports(viewer):
        return {}
    builds = Build.objects.filter(pk__in=_ids(ids)).select_related("edition__template")
    return {
        str(b.pk): Named(
            f"{b.fmt.upper()} build of {b.edition.title}, {b.edition.period}",
            reverse("reports-build-detail", args=[b.pk]),
        )
        for b in builds
    }
