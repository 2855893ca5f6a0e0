"""Logging operations supported: who may log what, bad input, and who sees which entries."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from msoic.audit.models import AuditEvent
from msoic.orgunits.models import OrgUnit
from msoic.support.actions import (
    do_add_financial_outcome,
    do_log_supported_operation,
    do_update_supported_operation,
)
from msoic.support.models import FinancialOutcome, SupportedOperation
from tests.support.conftest import make_operation

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_unit_logs_support_of_several_types_with_an_audit_row(national_analyst: Any) -> None:
    op = make_operation("kent", national_analyst, types=("intelligence", "advice"))
    assert sorted(t.support_type for t in op.support_types.all()) == ["advice", "intelligence"]
    assert op.financial_year == "FY2023-24"
    row = AuditEvent.objects.filter(object_id=str(op.pk), detail__step="support.log").get()
    assert row.actor == national_analyst and row.orgunit_code == "kent"


def test_coordinator_logs_support_only_for_forces_in_their_region(
    eastern_coordinator: Any,
) -> None:
    make_operation("essex", eastern_coordinator, provider="regional")
    with pytest.raises(PermissionDenied):
        make_operation("cleveland", eastern_coordinator, provider="regional")
    assert SupportedOperation.objects.count() == 1


def test_force_user_cannot_log_or_edit_support(kent_user: Any, national_analyst: Any) -> None:
    with pytest.raises(PermissionDenied):
        make_operation("kent", kent_user)
    op = make_operation("kent", national_analyst)
    with pytest.raises(PermissionDenied):
        do_update_supported_operation(op, actor=kent_user, outcome="changed")
    client = _client(kent_user)
    assert client.get("/operations-supported/new/").status_code == 403
    assert client.post(f"/operations-supported/{op.pk}/edit/", {}).status_code == 403


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"support_types": ()}, "at least one type"),
        ({"support_types": ("coaching",)}, "Unknown support type"),
        ({"end_date": date(2023, 5, 1)}, "cannot end before it starts"),
        ({"crime_type": "fraud"}, "Unknown crime type"),
        ({"operation_name": "  "}, "operation's name"),
    ],
)
def test_bad_entries_are_refused(
    national_analyst: Any, change: dict[str, Any], message: str
) -> None:
    fields: dict[str, Any] = {
        "support_types": ("advice",),
        "operation_name": "Operation Test",
        "crime_type": "ms",
        "provider": "unit",
        "start_date": date(2023, 6, 1),
        "end_date": None,
    }
    fields.update(change)
    types = fields.pop("support_types")
    with pytest.raises(ValidationError, match=message):
        do_log_supported_operation(
            OrgUnit.objects.get(code="kent"), actor=national_analyst, support_types=types, **fields
        )
    assert not SupportedOperation.objects.exists()


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("£198,000", 19_800_000),
        ("198000.00", 19_800_000),
        ("£1,234.5", 123_450),
        ("0.01", 1),
        (" £ 12.30 ", 1_230),
    ],
)
def test_money_is_read_exactly_to_the_penny(national_analyst: Any, typed: str, pence: int) -> None:
    op = make_operation("kent", national_analyst)
    outcome = do_add_financial_outcome(op, actor=national_analyst, kind="reparation", amount=typed)
    assert FinancialOutcome.objects.get(pk=outcome.pk).amount_pence == pence


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1234.567", "fraction of a penny"),
        ("1e3", "scientific notation"),
        ("-50", "negative"),
        ("1,23", "commas"),
        ("twelve pounds", "not an amount"),
        ("0", "more than £0.00"),
        ("", "more than £0.00"),
    ],
)
def test_ambiguous_money_is_refused_with_the_reason(
    national_analyst: Any, typed: str, message: str
) -> None:
    op = make_operation("kent", national_analyst)
    with pytest.raises(ValidationError, match=message):
        do_add_financial_outcome(op, actor=national_analyst, kind="confiscation", amount=typed)
    response = _client(national_analyst).post(
        f"/operations-supported/{op.pk}/outcomes/", {"kind": "confiscation", "amount": typed}
    )
    assert response.status_code == 302
    assert not FinancialOutcome.objects.exists()


def test_web_form_names_the_money_error(national_analyst: Any) -> None:
    op = make_operation("kent", national_analyst)
    client = _client(national_analyst)
    client.post(
        f"/operations-supported/{op.pk}/outcomes/", {"kind": "confiscation", "amount": "1e3"}
    )
    page = client.get(f"/operations-supported/{op.pk}/").content.decode()
    assert "Amount (£): &#x27;1e3&#x27; is in scientific notation" in page


def test_unit_logs_an_operation_on_the_web(national_analyst: Any) -> None:
    client = _client(national_analyst)
    response = client.post(
        "/operations-supported/new/",
        {
            "force": "sussex",
            "operation_name": "Operation Web",
            "crime_type": "both",
            "support_types": ["tactical", "victim_care"],
            "provider": "unit",
            "start_date": "2024-04-01",
        },
    )
    op = SupportedOperation.objects.get(operation_name="Operation Web")
    assert response.status_code == 302 and response["Location"] == f"/operations-supported/{op.pk}/"
    assert op.financial_year == "FY2024-25"
    client.post(
        f"/operations-supported/{op.pk}/outcomes/", {"kind": "reparation", "amount": "£5,000.5"}
    )
    assert op.financial_outcomes.get().amount_pence == 500_050


def test_force_user_sees_only_their_own_entries(
    kent_user: Any, essex_user: Any, eastern_coordinator: Any, national_analyst: Any
) -> None:
    kent = make_operation("kent", national_analyst, name="Operation Kentish")
    essex = make_operation("essex", national_analyst, name="Operation Essexian")
    make_operation("cleveland", national_analyst, name="Operation Teesside")
    page = _client(kent_user).get("/operations-supported/").content.decode()
    assert "Operation Kentish" in page
    assert "Operation Essexian" not in page and "Operation Teesside" not in page
    assert _client(kent_user).get(f"/operations-supported/{essex.pk}/").status_code == 404
    assert _client(essex_user).get(f"/operations-supported/{kent.pk}/").status_code == 404
    region = _client(eastern_coordinator).get("/operations-supported/").content.decode()
    assert "Operation Kentish" in region and "Operation Essexian" in region
    assert "Operation Teesside" not in region


@pytest.mark.parametrize(
    ("start", "year"),
    [
        (date(2024, 3, 31), "FY2023-24"),
        (date(2024, 4, 1), "FY2024-25"),
        (date(2023, 4, 1), "FY2023-24"),
    ],
)
def test_support_counts_in_the_financial_year_it_started(
    national_analyst: Any, start: date, year: str
) -> None:
    assert make_operation("kent", national_analyst, start=start).financial_year == year


def test_editing_the_start_date_moves_the_year_and_is_audited(national_analyst: Any) -> None:
    op = make_operation("kent", national_analyst, start=date(2023, 6, 1))
    do_update_supported_operation(op, actor=national_analyst, start_date=date(2024, 5, 1))
    op.refresh_from_db()
    assert op.financial_year == "FY2024-25"
    row = AuditEvent.objects.get(object_id=str(op.pk), detail__step="support.update")
    assert row.detail["changed"] == {"start_date": "2024-05-01"}


def test_coordinator_cannot_move_an_entry_to_a_force_outside_their_region(
    eastern_coordinator: Any,
) -> None:
    op = make_operation("kent", eastern_coordinator, provider="regional")
    with pytest.raises(PermissionDenied):
        do_update_supported_operation(
            op, actor=eastern_coordinator, force=OrgUnit.objects.get(code="cleveland")
        )
    op.refresh_from_db()
    assert op.force.code == "kent"


def test_list_query_count_does_not_grow_with_entries(
    national_analyst: Any, django_assert_max_num_queries: Any
) -> None:
    client = _client(national_analyst)
    make_operation("kent", national_analyst, outcome="12.50")
    client.get("/operations-supported/")
    with CaptureQueriesContext(connection) as few:
        client.get("/operations-supported/")
    for force in ("essex", "cleveland", "surrey", "durham") * 5:
        make_operation(force, national_analyst, types=("advice", "victim_care"), outcome="3")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/operations-supported/")
    assert "21 operations" in page.content.decode()


def test_operations_hub_links_the_pages_for_those_who_may_use_them(
    national_analyst: Any, partner_user: Any
) -> None:
    unit = _client(national_analyst).get("/operations/").content.decode()
    assert "/operations-supported/" in unit and "/cca-tasking/" in unit
    partner = _client(partner_user).get("/operations/")
    assert partner.status_code == 200
    text = partner.content.decode()
    assert "/operations-supported/" not in text and "/cca-tasking/" not in text
