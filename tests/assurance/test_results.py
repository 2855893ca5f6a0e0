"""Collation and the national picture: distribution, scores, thresholds, year-on-year,
who sees which forces, downloads, and thematic interventions."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from msoic.assurance.actions import (
    AssessmentError,
    do_accept_intervention,
    do_update_intervention,
)
from msoic.assurance.collation import collate, year_on_year
from msoic.assurance.loader import load_framework_text
from msoic.assurance.models import Campaign, InterventionStatus, ThematicIntervention
from tests.assurance.conftest import framework, open_campaign, submitted_campaign

pytestmark = pytest.mark.django_db

OTHER_FORCES = ("cumbria", "durham", "dorset", "gwent", "suffolk", "norfolk", "surrey", "sussex")


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def results(national_analyst: Any) -> Campaign:
    return submitted_campaign(
        national_analyst,
        {
            "kent": {"LG1": "red", "VC2": "red"},
            "essex": {"LG1": "amber", "VC2": "red"},
            "cleveland": {"LG1": "red", "VC2": "amber"},
        },
    )


def test_distribution_and_scores(results: Campaign) -> None:
    c = collate(results)
    lg1 = results.framework_version.standards.get(reference="LG1")
    assert c.counts(lg1.pk) == {"red": 2, "amber": 1, "green": 0}
    assert c.standard_score(lg1.pk) == pytest.approx(1.33, abs=0.01)
    assert c.area_score("TR") == 3.0
    assert c.force_score(c.forces["kent"]) == pytest.approx((45 * 3 + 2 * 1) / 47, abs=0.01)


def test_drafts_do_not_count_and_challenged_grades_use_the_agreed_grade(
    results: Campaign, national_analyst: Any
) -> None:
    from msoic.assurance.actions import do_challenge_grade

    open_campaign(national_analyst, ("suffolk",), name="other")  # another campaign's draft
    kent = results.assessments.get(orgunit__code="kent")
    g = kent.grades.select_related("standard").get(standard__reference="TR1")
    do_challenge_grade(g, "amber", "No needs analysis seen", actor=national_analyst)
    c = collate(results)
    assert set(c.forces) == {"kent", "essex", "cleveland"}
    assert c.forces["kent"].grades[g.standard_id] == "amber"
    assert g.standard_id in c.forces["kent"].challenged


@pytest.mark.parametrize(
    ("reds", "ambers", "greens", "thresholds", "proposed"),
    [
        (2, 0, 8, {"red_forces": 2}, True),
        (1, 0, 9, {"red_forces": 2}, False),
        (2, 0, 8, {"red_share": 0.2}, True),
        (1, 0, 9, {"red_share": 0.2}, False),
        (1, 4, 5, {"red_amber_share": 0.5}, True),
        (1, 3, 6, {"red_amber_share": 0.5}, False),
        (0, 0, 10, {"red_forces": 0}, True),
    ],
)
def test_intervention_threshold(
    national_analyst: Any,
    reds: int,
    ambers: int,
    greens: int,
    thresholds: dict[str, float],
    proposed: bool,
) -> None:
    text = framework().source.replace('version: "2023-24"', 'version: "t"')
    start = text.index("thresholds:")
    end = text.index("areas:")
    block = "thresholds:\n" + "".join(f"  {k}: {v}\n" for k, v in thresholds.items())
    version, _ = load_framework_text("t.yaml", text[:start] + block + text[end:])
    forces = ("kent", "essex", "cleveland", *OTHER_FORCES[:7])
    pattern = ["red"] * reds + ["amber"] * ambers + ["green"] * greens
    campaign = submitted_campaign(
        national_analyst,
        {f: {"INV3": g} for f, g in zip(forces, pattern, strict=True)},
        version=version,
    )
    proposals = [s.reference for s, _ in collate(campaign).over_threshold()]
    assert ("INV3" in proposals) is proposed
    if thresholds != {"red_forces": 0}:
        assert set(proposals) <= {"INV3"}


def test_year_on_year_follows_renamed_and_split_standards(national_analyst: Any) -> None:
    old = submitted_campaign(
        national_analyst, {"kent": {"LG1": "red", "LG2": "amber"}}, deadline=date(2023, 3, 31)
    )
    text = framework().source.replace(
        'version: "2023-24"', 'version: "2024-25"\nprevious_version: "2023-24"'
    )
    text = text.replace("{ref: LG1, area: LG,", "{ref: LG1x, area: LG, maps_from: [LG1],")
    text = text.replace(
        "  - {ref: LG2, area: LG,",
        "  - {ref: LG2b, area: LG, maps_from: [LG2], title: B, description: D, evidence: E}\n"
        "  - {ref: LG2, area: LG,",
    )
    new_version, _ = load_framework_text("next.yaml", text)
    from msoic.assurance.actions import (
        GradeEntry,
        do_open_campaign,
        do_save_grades,
        do_submit_assessment,
    )
    from msoic.orgunits.models import OrgUnit

    new = do_open_campaign(
        new_version,
        "next",
        date(2024, 3, 31),
        OrgUnit.objects.filter(code="kent"),
        actor=national_analyst,
        start_from_previous=False,
    )
    a = new.assessments.get()
    do_save_grades(
        a,
        {s.pk: GradeEntry("green", "E") for s in new_version.standards.all()},
        actor=national_analyst,
    )
    do_submit_assessment(a, actor=national_analyst)
    yoy = year_on_year(collate(new), collate(old))
    rows = {r["standard"].reference: r for r in yoy["standards"]}
    assert (rows["LG1x"]["before_refs"], rows["LG1x"]["change"]) == (["LG1"], 2.0)
    assert (rows["LG2b"]["before"], rows["LG2b"]["change"]) == (2.0, 1.0)
    assert (rows["LG2"]["before"], rows["LG2"]["change"]) == (2.0, 1.0)
    lg = next(x for x in yoy["areas"] if x["area"]["code"] == "LG")
    assert lg["change"] == pytest.approx((2 + 1 + 1) / 10, abs=0.01)


def test_national_user_sees_the_heatmap_with_text_and_every_force(
    results: Campaign, national_analyst: Any
) -> None:
    page = client_for(national_analyst).get(f"/assurance/campaigns/{results.pk}/results/")
    body = page.content.decode()
    assert "National picture" in body
    for name in ("Kent Police", "Essex Police", "Cleveland Police"):
        assert f">{name}</th>" in body
    # A grade is a letter and words as well as a colour.
    assert (
        '<td class="govuk-table__cell msoic-grade msoic-grade--red"><span aria-hidden="true">R'
        in body
    )
    assert '<span class="govuk-visually-hidden">Red</span>' in body


def test_force_user_sees_own_grades_against_distribution_never_another_force(
    results: Campaign, kent_user: Any
) -> None:
    body = client_for(kent_user).get(f"/assurance/campaigns/{results.pk}/results/").content
    text = body.decode()
    assert "Your grade" in text and "Your results" in text
    assert "2 (67%)" in text  # LG1: two of three forces Red
    assert "Essex" not in text and "Cleveland" not in text
    csv = client_for(kent_user).get(f"/assurance/campaigns/{results.pk}/results.csv")
    assert b"Essex" not in csv.content and b"Cleveland" not in csv.content
    assert b"Kent" in csv.content


def test_coordinator_sees_their_region_only(results: Campaign, eastern_coordinator: Any) -> None:
    text = (
        client_for(eastern_coordinator)
        .get(f"/assurance/campaigns/{results.pk}/results/")
        .content.decode()
    )
    assert ">Kent Police</th>" in text and ">Essex Police</th>" in text
    assert "Cleveland" not in text


def test_partner_and_admin_are_refused(
    results: Campaign, partner_user: Any, admin_user: Any
) -> None:
    for user in (partner_user, admin_user):
        c = client_for(user)
        assert c.get(f"/assurance/campaigns/{results.pk}/results/").status_code == 403
        assert c.get(f"/assurance/campaigns/{results.pk}/results.xlsx").status_code == 403


def test_xlsx_download_is_formula_safe(results: Campaign, national_analyst: Any) -> None:
    s = results.framework_version.standards.get(reference="LG1")
    s.title = "=HYPERLINK(1)"
    s.save()
    r = client_for(national_analyst).get(f"/assurance/campaigns/{results.pk}/results.xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "'=HYPERLINK(1)" in values and "=HYPERLINK(1)" not in values
    assert "Kent Police" in values


def test_results_page_query_count_does_not_grow_with_forces(national_analyst: Any) -> None:
    small = submitted_campaign(national_analyst, {f: {} for f in ("kent", "essex")}, name="s")
    large = submitted_campaign(
        national_analyst, {f: {"LG1": "red"} for f in OTHER_FORCES}, name="l"
    )
    c = client_for(national_analyst)
    counts = []
    for campaign in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(f"/assurance/campaigns/{campaign.pk}/results/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts == [13, 13]  # pinned: a new query here is an N+1 or a regression


def test_unit_accepts_plans_and_tracks_an_intervention(
    results: Campaign, national_analyst: Any, kent_user: Any
) -> None:
    lg1 = results.framework_version.standards.get(reference="LG1")
    tr1 = results.framework_version.standards.get(reference="TR1")
    with pytest.raises(AssessmentError, match="not over the intervention threshold"):
        do_accept_intervention(results, tr1, actor=national_analyst)
    unit = client_for(national_analyst)
    page = unit.get(f"/assurance/campaigns/{results.pk}/results/").content.decode()
    assert "Accept LG1" in page and "Accept TR1" not in page
    forbidden = client_for(kent_user).post(
        f"/assurance/campaigns/{results.pk}/interventions/", {"standard": lg1.pk}
    )
    assert forbidden.status_code == 403
    r = unit.post(f"/assurance/campaigns/{results.pk}/interventions/", {"standard": lg1.pk})
    intervention = ThematicIntervention.objects.get(campaign=results, standard=lg1)
    assert r.status_code == 302 and "forces graded it" in intervention.reason
    with pytest.raises(AssessmentError, match="already"):
        do_accept_intervention(results, lg1, actor=national_analyst)
    url = f"/assurance/interventions/{intervention.pk}/"
    bad = unit.post(url, {"status": "planned", "plan": "", "lead": "", "due": ""})
    assert bad.status_code == 400 and b"Write the plan" in bad.content
    ok = unit.post(
        url,
        {
            "status": "planned",
            "plan": "Regional workshops",
            "lead": "DI Smith",
            "due": "2024-09-30",
        },
    )
    assert ok.status_code == 302
    intervention.refresh_from_db()
    assert (intervention.status, intervention.due) == ("planned", date(2024, 9, 30))
    do_update_intervention(
        intervention,
        status=InterventionStatus.COMPLETED,
        plan="Done",
        lead="",
        due=None,
        actor=national_analyst,
    )
    assert client_for(kent_user).get(url).status_code == 403
