"""Every kind of object the apps write to the audit log reads as words on the log's page
(issue 11 item 9): a world of the apps' own actions (returns, the register, cleanses, direct
data entry, peer reviews, benchmarking, commissioning, intensifications, operations
supported, CCA tasking, training, accounts, the catalogue) is made once for the module; then
each object type it recorded is named for a national analyst, and the page shows no raw
``app.model 123`` reference without its name."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.test import Client
from django.utils.html import escape

from msoic.audit.models import AuditEvent
from msoic.audit.names import name_events, namers
from msoic.audit.views import PAGE_SIZE
from tests.conftest import _make, module_data

# Object types kept as raw references on purpose, and why.
RAW_BY_DESIGN = {
    "cases.person": "a person in the register is not named into the log's pages",
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        yield _build_world()


def _build_world() -> dict[str, object]:
    from msoic.accounts.actions import do_create_user, do_revoke_token
    from msoic.accounts.models import ApiToken
    from msoic.assurance.actions import do_propose_support_package, do_submit_assessment
    from msoic.cases.actions import do_create_investigation
    from msoic.cases.cleanse.actions import do_open_cleanse
    from msoic.cases.register.dde import do_set_dde_adoption
    from msoic.catalogue.loader import load_catalogue
    from msoic.collection.actions import do_approve_submission, do_submit_return
    from msoic.collection.models import Submission
    from msoic.commissioning.actions import (
        do_decide_bid,
        do_record_spend,
        do_set_funding_allocation,
    )
    from msoic.orgunits.models import OrgUnit
    from msoic.peerreview.actions import do_set_task_group
    from msoic.tasking.actions import do_update_measure_progress
    from tests.assurance.conftest import grade_all, open_campaign
    from tests.capability.conftest import make_event, make_session
    from tests.commissioning.conftest import make_bid, make_envelope, make_window
    from tests.conftest import csv_bytes
    from tests.operations.conftest import make_operation as make_intensification
    from tests.peerreview.conftest import make_review
    from tests.support.conftest import make_operation as make_supported
    from tests.tasking.conftest import load_tasking, progress_of

    kent_user = _make("kent.user", "force", "kent")
    analyst = _make("national.analyst", "national", "national")
    admin = _make("admin.user", "admin", None)
    kent = OrgUnit.objects.get(code="kent")

    do_submit_return(
        "kent.csv", csv_bytes([["kent", "2024-01", "ms_arrests", "", 2, ""]]), actor=kent_user
    )
    do_approve_submission(Submission.objects.get(orgunit=kent), actor=analyst)
    do_create_user("new.user", role="force", orgunit_code="kent", password=None, actor=admin)
    token, _ = ApiToken.issue(kent_user)
    do_revoke_token(token, actor=admin, reason="lost laptop")
    load_catalogue(actor=analyst)

    do_create_investigation(
        kent,
        actor=kent_user,
        crime_reference="46/2000/24",
        opened_on=date(2023, 1, 10),
        exploitation_types=["labour"],
        officer_in_charge="DC Example",
    )
    do_open_cleanse(
        title="Stale cases 2024",
        criteria={"stale_days": 180},
        deadline=date(2026, 12, 31),
        actor=analyst,
    )
    do_set_dde_adoption(kent, "ms_live_investigations", date(2024, 4, 1), actor=analyst)

    make_review("kent", analyst, recs=1, good=1)
    do_set_task_group(kent, actor=analyst, chair="DCI Chair", members="One\nTwo")

    campaign = open_campaign(analyst, forces=("kent",))
    assessment = campaign.assessments.get()
    grade_all(assessment, kent_user, grade="red")
    do_submit_assessment(assessment, actor=kent_user)
    do_propose_support_package(assessment, actor=analyst)

    bid = make_bid(make_window(analyst, make_envelope(analyst)), kent_user)
    do_decide_bid(bid, actor=analyst, outcome="approved", reason="ok")
    do_record_spend(bid, actor=kent_user, amount=10_000, spent_on=bid.period_start)
    do_set_funding_allocation(
        actor=analyst,
        financial_year="FY2023-24",
        programme="oic",
        amount=100_000,
        source="Home Office",
        expires_on=date(2024, 3, 31),
    )

    make_intensification(analyst)
    make_supported("kent", analyst)
    tasking = load_tasking()
    measure = tasking.measures.order_by("position").first()
    do_update_measure_progress(
        progress_of(tasking, measure.code, "kent")
        if measure.applies_to == "forces"
        else measure.progress.first(),
        actor=analyst,
        status="in_progress",
        on=date(2023, 6, 1),
        commentary="Under way",
    )
    make_session(make_event(analyst), analyst)
    return {"analyst": analyst}


def recorded_types() -> dict[str, list[AuditEvent]]:
    by_type: dict[str, list[AuditEvent]] = {}
    for e in AuditEvent.objects.exclude(object_id="").order_by("seq"):
        by_type.setdefault(e.object_type, []).append(e)
    return by_type


def is_model(object_type: str) -> bool:
    try:
        apps.get_model(object_type)
    except (LookupError, ValueError):
        return False
    return True


def test_every_object_the_world_recorded_is_named_for_the_unit(world, db):
    by_type = recorded_types()
    # The world reaches every app that writes rows about its objects.
    assert {t.split(".")[0] for t in by_type} >= {
        "accounts",
        "assurance",
        "capability",
        "cases",
        "catalogue",
        "collection",
        "commissioning",
        "operations",
        "peerreview",
        "support",
        "tasking",
    }
    unnamed = []
    for object_type, events in by_type.items():
        if object_type in RAW_BY_DESIGN or not is_model(object_type):
            continue
        for row in name_events(world["analyst"], events):
            if row.obj is None:
                unnamed.append(f"{object_type} {row.event.object_id}")
    assert unnamed == []


def test_the_page_shows_no_raw_reference_without_its_name(world, db):
    client = Client()
    client.force_login(world["analyst"])
    pages = -(-AuditEvent.objects.count() // PAGE_SIZE)
    html = "".join(client.get(f"/audit/?page={n}").content.decode() for n in range(1, pages + 1))
    for object_type, events in recorded_types().items():
        if object_type in RAW_BY_DESIGN or not is_model(object_type):
            continue
        for e in events[:3]:
            raw = f"{object_type} {e.object_id}<"  # the whole reference, as the cell ends
            assert raw in html, raw  # the reference stays beside the name
            row = html[: html.index(raw)].rsplit("<tr", 1)[1]  # the row, up to the reference
            name = name_events(world["analyst"], [e])[0].obj
            assert name is not None and escape(name.label) in row, raw
            if name.url:
                assert f'<a class="govuk-link" href="{name.url}">{escape(name.label)}</a>' in row


def test_every_namer_names_a_real_model():
    assert [t for t in namers() if not is_model(t)] == []


def test_raw_by_design_types_are_recorded_models():
    assert all(is_model(t) for t in RAW_BY_DESIGN)
