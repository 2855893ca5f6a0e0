"""Clerical review: an analyst's decisions are kept and win over the model in the next run;
the review page shows both records side by side and is audited. (Two small Splink runs.)"""

from __future__ import annotations

from typing import Any

import pytest

from msoic.audit.models import AuditEvent
from msoic.cps.actions import do_decide_link, do_import_extract, do_request_linkage, run_linkage
from msoic.cps.models import Link, LinkStatus, RunStatus
from tests.cps.conftest import extract_csv, synthetic, write_register

pytestmark = pytest.mark.django_db(transaction=False)


def _run(actor: Any) -> None:
    run, created = do_request_linkage(actor=actor)
    assert created
    assert run_linkage(run.pk).status == RunStatus.DONE


def test_confirmed_and_rejected_pairs_win_over_the_model_next_time(national_analyst, client):
    data = synthetic(150, seed=3)  # a seed whose run leaves candidates for review
    write_register(data)
    assert do_import_extract("s.csv", extract_csv(data.cases), actor=national_analyst).ok
    _run(national_analyst)
    automatic = Link.objects.filter(status=LinkStatus.AUTOMATIC).order_by("pk")[0]
    clerical = Link.objects.filter(status=LinkStatus.CLERICAL).order_by("-probability")[0]
    rejected_pair = (automatic.case_id, automatic.suspect_id)
    confirmed_pair = (clerical.case_id, clerical.suspect_id, clerical.probability)

    # the review page: both records side by side, the viewing logged as a consultation
    client.force_login(national_analyst)
    page = client.get(f"/cps/review/{clerical.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert clerical.case.urn in body and clerical.crime_reference in body
    seen = AuditEvent.objects.filter(action="consultation", detail__step="cps.view_cases").last()
    assert seen.detail["cps_cases"] == [clerical.case.urn]
    assert seen.detail["people"] == [clerical.suspect_ref]

    # decisions through the page (confirm) and the action (reject)
    answer = client.post(f"/cps/review/{clerical.pk}/", {"decision": "confirm"})
    assert answer.status_code == 302
    do_decide_link(automatic, actor=national_analyst, confirmed=False)
    decided = AuditEvent.objects.filter(action="alteration", detail__step="cps.decide_link")
    assert [(r.detail["from"], r.detail["to"]) for r in decided.order_by("seq")] == [
        ("clerical", "confirmed"),
        ("automatic", "rejected"),
    ]

    _run(national_analyst)
    confirmed = Link.objects.get(case_id=confirmed_pair[0], suspect_id=confirmed_pair[1])
    assert confirmed.status == LinkStatus.CONFIRMED and confirmed.decided_by == national_analyst
    assert confirmed.probability == confirmed_pair[2]  # the decision is kept as made
    rejected = Link.objects.get(case_id=rejected_pair[0], suspect_id=rejected_pair[1])
    assert rejected.status == LinkStatus.REJECTED
    # the rejected pair is not linked again: the case is linked elsewhere or not at all
    counting = Link.objects.filter(
        case_id=rejected_pair[0], status__in=[LinkStatus.AUTOMATIC, LinkStatus.CLERICAL]
    )
    assert all(link.suspect_id != rejected_pair[1] for link in counting)
    # one counting link per case still
    cases = list(Link.objects.exclude(status=LinkStatus.REJECTED).values_list("case_id", flat=True))
    assert len(cases) == len(set(cases))


def test_an_empty_decision_is_refused_and_changes_nothing(national_analyst, client):
    data = synthetic(40, seed=3)
    write_register(data)
    assert do_import_extract("s.csv", extract_csv(data.cases), actor=national_analyst).ok
    from msoic.cps.models import CpsCase

    case = CpsCase.objects.first()
    link = Link.objects.create(
        case=case,
        suspect_id=1,
        suspect_ref="P",
        investigation_id=1,
        force=case.force,
        crime_reference="X",
        probability=0.6,
        status=LinkStatus.CLERICAL,
    )
    client.force_login(national_analyst)
    assert client.post(f"/cps/review/{link.pk}/", {"decision": "maybe"}).status_code == 302
    link.refresh_from_db()
    assert link.status == LinkStatus.CLERICAL and link.decided_by is None
