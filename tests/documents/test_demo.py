"""The demo gives the annual report's 102 documents produced and every force in a
partnership, from records, through the engine and the ``msoic query`` command."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from msoic.documents.demo import NRP_TEMPLATE, ROMA_GUIDE, build_documents_demo
from msoic.documents.models import Document, Version
from msoic.orgunits.models import OrgUnit
from msoic.partnerships.demo import ERSAP, build_partnerships_demo
from msoic.partnerships.models import MeetingAttendance, Partnership

pytestmark = pytest.mark.django_db


def query(*args: str) -> Any:
    out = StringIO()
    call_command("query", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_2023_24_has_102_documents_produced(personas: dict[str, Any]) -> None:
    report = build_documents_demo(personas["national"])
    assert report.produced == 102
    answer = query("documents_produced", "--orgunit", "national", "--period", "FY2023-24")
    assert answer["value"] == 102
    # the same count straight from the records: documents first published in the year
    year = Document.objects.filter(published_on__range=(date(2023, 4, 1), date(2024, 3, 31)))
    assert year.count() == 102
    assert len(set(year.values_list("kind", flat=True))) == 5
    assert set(year.values_list("marking", flat=True)) == {"official", "official_sensitive"}
    assert Version.objects.filter(number=2).exists()  # revisions are not new documents
    for title in (ROMA_GUIDE, NRP_TEMPLATE):
        assert year.get(title=title).versions.count() == 2
    assert year.get(title=NRP_TEMPLATE).versions.get(number=1).file_kind == "docx"
    # the regions' own documents count in their region and the nation, no force's
    eastern = query("documents_produced", "--orgunit", "eastern", "--period", "FY2023-24")
    assert eastern["value"] == year.filter(owner__code="eastern").count() > 0
    kent = query("documents_produced", "--orgunit", "kent", "--period", "FY2023-24")
    assert kent["value"] == 0
    assert build_documents_demo(personas["national"]).already  # idempotent
    assert Document.objects.count() == 102


def test_every_force_is_in_a_partnership(personas: dict[str, Any]) -> None:
    report = build_partnerships_demo(personas["national"])
    forces = OrgUnit.objects.forces().count()
    assert report.covered == forces == 43
    ersap = Partnership.objects.get(name=ERSAP)
    assert ersap.forces.count() == 7 and ersap.cadence == "quarterly"
    meetings = ersap.meetings.filter(date__range=(date(2023, 4, 1), date(2024, 3, 31)))
    assert meetings.count() == 4
    for meeting in meetings:  # all seven counties represented each time
        assert MeetingAttendance.objects.filter(meeting=meeting).count() == 7
    answer = query("partnership_coverage", "--orgunit", "national", "--period", "FY2023-24")
    assert answer["value"] == 43
