"""Planning and editing operations: the unit only, checked input, audited, and each change
a new catalogue revision carrying the operation's return dataset."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from msoic.audit.models import AuditEvent
from msoic.catalogue.loader import get_catalogue
from msoic.catalogue.models import CatalogueRevision
from msoic.collection.pipeline import import_file
from msoic.operations.actions import details_of, do_update_operation
from tests.operations.conftest import make_operation, return_csv

pytestmark = pytest.mark.django_db


def test_creating_an_operation_is_audited_and_adds_its_dataset(national_analyst):
    revisions = CatalogueRevision.objects.count()
    op = make_operation(national_analyst)
    event = AuditEvent.objects.filter(object_type="operations.operation").get()
    assert event.action == "alteration" and event.detail["step"] == "operations.create"
    assert event.detail["forces"] == ["cleveland", "essex", "kent", "surrey"]
    assert CatalogueRevision.objects.count() == revisions + 1
    assert "operation-aidant-33.yaml" in CatalogueRevision.objects.first().sources
    assert op.dataset_code in get_catalogue().datasets


@pytest.mark.parametrize(
    "persona", ["kent_user", "eastern_coordinator", "partner_user", "admin_user"]
)
def test_only_the_unit_plans_operations(request, persona):
    with pytest.raises(PermissionDenied):
        make_operation(request.getfixturevalue(persona))


def test_series_and_number_are_unique(national_analyst):
    make_operation(national_analyst)
    with pytest.raises(ValidationError, match="AIDANT 33 already exists"):
        make_operation(national_analyst)


def test_bad_details_are_all_reported(national_analyst):
    op = make_operation(national_analyst)
    bad = replace(
        details_of(op),
        series="aidant 1",
        end_date=date(2023, 5, 1),
        forces=["kent", "nca", "atlantis"],
        exploitation_type="piracy",
        activity_metrics=["op_disruptions_typo"],
    )
    with pytest.raises(ValidationError) as caught:
        do_update_operation(op, bad, actor=national_analyst)
    text = " ".join(caught.value.messages)
    for says in (
        "Series",
        "End date",
        "not forces: atlantis, nca",
        "Exploitation type",
        "unknown op_disruptions_typo",
    ):
        assert says in text


def test_editing_adds_a_force_and_its_return_is_then_accepted(national_analyst):
    op = make_operation(national_analyst, forces=("kent",))
    refused = import_file(
        "essex.csv", return_csv(op, "essex", {"op_arrests": 1}), actor=national_analyst
    )
    assert refused.status == "rejected"
    do_update_operation(
        op, replace(details_of(op), forces=["kent", "essex"]), actor=national_analyst
    )
    accepted = import_file(
        "essex.csv", return_csv(op, "essex", {"op_arrests": 1}), actor=national_analyst
    )
    assert accepted.status == "accepted"
    assert get_catalogue().datasets[op.dataset_code].participants == ("essex", "kent")


def test_a_force_that_has_returned_stays_and_the_month_cannot_move(national_analyst):
    op = make_operation(national_analyst, forces=("kent", "essex"))
    import_file("kent.csv", return_csv(op, "kent", {"op_arrests": 1}), actor=national_analyst)
    with pytest.raises(ValidationError) as caught:
        do_update_operation(
            op,
            replace(
                details_of(op),
                forces=["essex"],
                start_date=date(2023, 6, 5),
                end_date=date(2023, 6, 9),
            ),
            actor=national_analyst,
        )
    assert "kent" in " ".join(caught.value.messages)
    assert "month cannot change" in " ".join(caught.value.messages)
    moved = do_update_operation(
        op,
        replace(details_of(op), theme="Construction sites", end_date=date(2023, 5, 28)),
        actor=national_analyst,
    )
    assert moved.theme == "Construction sites"
