"""Loading a release: its figures go through the one pipeline as the national org unit's
return (versioned, audited), the release is recorded, the engine answers them for the nation
only; a revised release makes new versions of the quarters it changes; bad input stores
nothing and says where; the returns pages and the approval queue leave the dataset out."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from msoic.audit.models import AuditAction, AuditEvent
from msoic.catalogue.loader import get_catalogue
from msoic.collection.forms import CompletenessForm
from msoic.collection.models import Submission, Value
from msoic.collection.pipeline import import_file
from msoic.collection.queue import awaiting_approval
from msoic.metrics import engine
from msoic.metrics.periods import Period
from msoic.nrmstats.actions import NotAllowed
from msoic.nrmstats.models import Release
from msoic.orgunits.models import OrgUnit
from tests.conftest import csv_bytes
from tests.nrmstats.conftest import HEADER_BLOCK, csv_of, load, responder_rows, xlsx_of

Q = {
    "Jan to Mar 2023": [1500, 1300, 1250, 270, 190],
    "Apr to Jun 2023": [1470, 1000, 980, 200, 150],
}


def nation() -> OrgUnit:
    return OrgUnit.objects.get(code="national")


def ask(period: str, orgunit: str = "national", **kw: Any) -> engine.Result:
    return engine.query(
        kw.pop("metric", "nrm_national_referrals"),
        OrgUnit.objects.get(code=orgunit),
        Period.parse(period),
        **kw,
    )


@pytest.mark.django_db
def test_a_release_is_stored_as_the_nations_return_and_recorded(national_analyst: Any) -> None:
    result = load(national_analyst, "q1-2024.csv", csv_of(responder_rows(Q)))
    assert result.ok, result.lines()
    release = Release.objects.get()
    assert (release.publication, release.released_on) == (
        "NRM statistics, Quarter 1 2024",
        date(2024, 5, 2),
    )
    assert release.url == "www.example.org/nrm-q1-2024"
    assert (release.first_quarter, release.last_quarter, release.quarters) == (
        date(2023, 1, 1),
        date(2023, 4, 1),
        2,
    )
    assert release.changed == 2 and release.loaded_by == national_analyst
    subs = Submission.objects.filter(dataset="nrm-national-quarterly").order_by("period")
    assert [(s.orgunit.code, s.period) for s in subs] == [
        ("national", date(2023, 1, 1)),
        ("national", date(2023, 4, 1)),
    ]
    events = AuditEvent.objects.filter(action=AuditAction.COLLECTION)
    assert events.filter(object_type="collection.submission").count() == 2
    row = events.get(object_type="nrmstats.release")
    assert row.detail["published_on"] == "2024-05-02" and row.detail["items"] == 2
    # the engine: the nation's figures, by first responder, and the non-police metric
    q1 = ask("FY2023-24-Q1", by="first_responder")
    assert q1.value == 3800 and q1.coverage.complete
    assert {r.key: r.value for r in q1.rows} == {
        "police": 1470,
        "local_authority": 1000,
        "home_office": 980,
        "ngo": 200,
        "other": 150,
    }
    assert ask("FY2023-24-Q1", metric="nrm_national_referrals_non_police").value == 2330
    assert ask("FY2022-23-Q4").value == 4510
    # a force and a region hold none of it; a quarter no release holds is missing
    assert ask("FY2023-24-Q1", "kent").value == 0 and ask("FY2023-24-Q1", "eastern").value == 0
    missing = ask("FY2023-24-Q2")
    assert missing.value is None and not missing.coverage.complete


@pytest.mark.django_db
def test_a_revised_release_versions_the_quarters_it_changes(national_analyst: Any) -> None:
    assert load(national_analyst, "first.csv", csv_of(responder_rows(Q))).ok
    revised = dict(Q)
    revised["Apr to Jun 2023"] = [1480, 1000, 980, 200, 150]
    again = load(national_analyst, "revised.xlsx", xlsx_of({"Table_1": responder_rows(revised)}))
    assert again.ok and again.changed == 1
    sub = Submission.objects.get(dataset="nrm-national-quarterly", period=date(2023, 4, 1))
    assert sub.current_version.number == 2
    old = Value.objects.filter(
        orgunit=nation(), period=date(2023, 4, 1), breakdown="", is_current=False
    )
    assert [v.value for v in old] == [3800]
    assert ask("FY2023-24-Q1").value == 3810
    assert Release.objects.count() == 2
    same = load(national_analyst, "same.csv", csv_of(responder_rows(revised)))
    assert same.ok and same.changed == 0


@pytest.mark.django_db
def test_a_bad_file_stores_nothing_and_says_where(national_analyst: Any) -> None:
    rows = responder_rows(Q)
    rows[len(HEADER_BLOCK) + 2][3] = "n/k"
    result = load(national_analyst, "bad.xlsx", xlsx_of({"Table_1": rows}))
    assert not result.ok and Release.objects.count() == 0
    assert not Submission.objects.filter(dataset="nrm-national-quarterly").exists()
    [problem] = result.problems
    assert (problem.sheet, problem.row, problem.column) == ("Table_1", 7, "D")
    assert "'n/k' is not a whole number" in problem.message
    assert result.lines()[1].startswith("  error: bad.xlsx: Sheet 'Table_1', row 7, column D:")
    refused = AuditEvent.objects.get(action=AuditAction.REJECT, object_type="nrmstats.release")
    assert refused.detail["first"]["row"] == 7


@pytest.mark.django_db
def test_the_pipelines_rules_apply_and_point_at_the_cell(national_analyst: Any) -> None:
    by_column = [
        ["Table 2"],
        [],
        ["Exploitation type", "Jan to Mar 2023"],
        ["Labour", 100],
        ["Sexual", 100],
        ["Criminal", 200],
        ["Domestic servitude", 10],
        ["Organ harvesting", 0],
        ["Not specified or unknown", 10],
    ]
    data = xlsx_of({"Table_1": responder_rows(Q), "Table_2": by_column})
    result = load(national_analyst, "mixed.xlsx", data)  # exploitation: 420, not 4,510
    assert not result.ok
    [problem] = [p for p in result.problems if p.rule == "breakdown_adds_up"]
    assert "add up to 420 but the total is 4,510" in problem.message
    assert (problem.sheet, problem.row, problem.column) == ("Table_1", len(HEADER_BLOCK) + 2, "G")
    # a quarter not yet over, and one before the dataset's first quarter
    late = load(national_analyst, "late.csv", csv_of(responder_rows({"Oct to Dec 2099": [1] * 5})))
    assert any(p.rule == "period_not_future" for p in late.problems)
    early = load(national_analyst, "early.csv", csv_of(responder_rows({"2014 Q4": [1] * 5})))
    assert {p.rule for p in early.problems} == {"period_not_before_first"}
    assert (early.problems[0].row, early.problems[0].column) == (len(HEADER_BLOCK) + 2, "A")
    assert Release.objects.count() == 0


@pytest.mark.django_db
def test_release_details_are_checked(national_analyst: Any) -> None:
    result = load(national_analyst, "q.csv", csv_of(responder_rows(Q)), publication="  ")
    assert not result.ok and result.problems[0].message == "give the publication's name"
    long = load(national_analyst, "q.csv", csv_of(responder_rows(Q)), url="x" * 501)
    assert not long.ok and "longer than 500" in long.problems[0].message


@pytest.mark.django_db
def test_only_the_national_team_loads(kent_user: Any, partner_user: Any) -> None:
    for user in (kent_user, partner_user):
        with pytest.raises(NotAllowed):
            load(user, "q.csv", csv_of(responder_rows(Q)))


@pytest.mark.django_db
def test_forces_do_not_return_it_and_the_returns_pages_leave_it_out(
    national_analyst: Any, kent_user: Any
) -> None:
    refused = import_file(
        "kent.csv",
        csv_bytes([["kent", "FY2023-24-Q1", "nrm_national_referrals", "", 5, ""]]),
        actor=kent_user,
    )
    assert refused.status == "rejected"
    assert "national NRM statistics" in refused.problems[0].message
    nat = import_file(
        "nat.csv",
        csv_bytes([["national", "FY2023-24-Q1", "nrm_national_referrals", "", 5, ""]]),
        actor=national_analyst,
    )
    assert nat.status == "rejected"  # the ordinary upload takes forces' returns only
    assert "nrm-national-quarterly" not in {
        d.code for d in CompletenessForm.returns(get_catalogue())
    }
    assert load(national_analyst, "q.csv", csv_of(responder_rows(Q))).ok
    assert not awaiting_approval(national_analyst).filter(orgunit__code="national").exists()


def test_a_dataset_is_returned_by_forces_or_the_nation_only() -> None:
    from msoic.catalogue.loader import CatalogueError, parse_sources, read_sources

    sources = read_sources()
    text = sources["nrm-national-quarterly.yaml"]
    assert "orgunits: national" in text
    parsed = parse_sources(sources)
    assert parsed["datasets"]["nrm-national-quarterly"]["orgunits"] == "national"
    sources["nrm-national-quarterly.yaml"] = text.replace("orgunits: national", "orgunits: regions")
    with pytest.raises(CatalogueError, match="nrm-national-quarterly.yaml: dataset"):
        parse_sources(sources)
