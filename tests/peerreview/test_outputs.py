"""Slice 5: the force report with its enhancement plan (HTML) and the plan as XLSX."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from msoic.peerreview import actions
from tests.peerreview.conftest import make_review

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_force_report_holds_findings_by_theme_and_the_group(personas: dict[str, Any]) -> None:
    unit = personas["national"]
    review = make_review("kent", unit, recs=3, good=1)
    actions.do_set_task_group(review.force, actor=personas["kent"], chair="ACC Chair", members="")
    text = client_for(personas["kent"]).get(f"/peer-reviews/{review.pk}/report/").content.decode()
    assert "Published 15 January 2024" in text
    for fragment in (
        "kent recommendation 1",
        "kent recommendation 3",
        "kent practice 1",
        "Operational response",
        "ACC Chair",
        "A. Reviewer",
    ):
        assert fragment in text, fragment


def test_enhancement_plan_xlsx_lists_every_recommendation_formula_safe(
    personas: dict[str, Any],
) -> None:
    unit = personas["national"]
    review = make_review("kent", unit, recs=0, good=0, publish=False)
    actions.do_add_recommendation(review, actor=unit, theme="training", text="+cmd|calc")
    actions.do_add_recommendation(
        review, actor=unit, theme="leadership", text="Name a lead", due_date=date(2024, 6, 30)
    )
    actions.do_publish_peer_review(review, actor=unit, on=date(2024, 1, 15))
    response = client_for(personas["kent"]).get(f"/peer-reviews/{review.pk}/plan.xlsx")
    assert response.status_code == 200
    assert "enhancement-plan-kent.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    rows = [[v for v in row if v is not None] for row in rows]
    assert rows[0] == ["Enhancement plan: Kent Police"]
    header = rows.index(
        [
            "Ref",
            "Theme",
            "Priority",
            "Recommendation",
            "Owner",
            "Due",
            "Status",
            "Overdue",
            "Reason not accepted",
        ]
    )
    body = rows[header + 1 :]
    assert [r[0] for r in body] == ["R1", "R2"]
    assert body[0][3] == "'+cmd|calc"
    assert body[1][1:4] == ["Leadership and governance", "Medium", "Name a lead"]
    assert body[1][4] == "2024-06-30"  # no owner yet: the empty cell is dropped above


def test_force_report_pdf_downloads_for_the_force(personas: dict[str, Any]) -> None:
    review = make_review("kent", personas["national"], recs=2, good=1)
    response = client_for(personas["kent"]).get(f"/peer-reviews/{review.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="peer-review-kent.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")


def test_force_report_pdf_holds_the_report_outline(personas: dict[str, Any]) -> None:
    from msoic.peerreview.pdf import report_pdf
    from msoic.peerreview.views import report_context

    review = make_review("kent", personas["national"], recs=2, good=1)
    pdf = report_pdf(report_context(review), compress=False)
    # WeasyPrint writes each heading as a bookmark; uncompressed, their titles are readable.
    for heading in (
        b"Kent Police",
        b"Enhancement plan",
        b"Leadership and governance",
        b"Training and awareness",
    ):
        assert b"/Title (" + heading + b")" in pdf, heading
    assert b"/Title (Peer review report: Kent Police)" in pdf
    assert b"DejaVu-Sans" in pdf  # the print stylesheet was applied (the default is serif)


def test_national_tracker_downloads_as_pdf_with_its_sections(personas: dict[str, Any]) -> None:
    from django.utils import timezone

    from msoic.peerreview.pdf import tracker_pdf
    from msoic.peerreview.views import tracker_context

    make_review("kent", personas["national"], recs=2, good=1)
    response = client_for(personas["national"]).get("/peer-reviews/tracker/", {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "recommendations-tracker-" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    today = timezone.localdate()
    pdf = tracker_pdf(tracker_context(personas["national"], today, today), compress=False)
    for heading in (b"Recommendations tracker", b"By theme", b"By region", b"By force"):
        assert b"/Title (" + heading + b")" in pdf, heading


def test_partner_gets_no_tracker_pdf(personas: dict[str, Any]) -> None:
    response = client_for(personas["partner"]).get("/peer-reviews/tracker/", {"format": "pdf"})
    assert response.status_code in (403, 404)
