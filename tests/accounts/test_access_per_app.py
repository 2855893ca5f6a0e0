"""Each app's access module, on the shared rules: who may open which app, and an app's
records seen and fetched by scope (another force's record is a 404)."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404

from msoic.assurance import access as assurance_access
from msoic.audit import access as audit_access
from msoic.collection import access as collection_access
from msoic.commissioning import access as commissioning_access
from msoic.operations import access as operations_access
from msoic.orgunits.models import OrgUnit
from msoic.peerreview import access as review_access
from msoic.support import access as support_access
from msoic.support.models import CrimeType, Provider, SupportedOperation
from msoic.tasking import access as tasking_access
from msoic.terminus import access as terminus_access

ORGUNIT_ROLES = ["kent", "essex", "cleveland", "eastern", "national"]
EVERY_ROLE = [*ORGUNIT_ROLES, "partner", "admin"]

GATES = {
    "completeness": (collection_access.can_see_completeness, ORGUNIT_ROLES),
    "approve returns": (collection_access.can_approve, ["national"]),
    "audit log": (audit_access.can_browse_audit, ["national"]),
    "peer reviews": (review_access.can_see_peer_reviews, ORGUNIT_ROLES),
    "manage peer reviews": (review_access.can_manage_peer_reviews, ["national"]),
    "benchmarking": (assurance_access.can_see_benchmarking, ORGUNIT_ROLES),
    "manage benchmarking": (assurance_access.can_manage_benchmarking, ["national"]),
    "commissioning": (commissioning_access.can_see_commissioning, ORGUNIT_ROLES),
    "manage commissioning": (commissioning_access.can_manage_commissioning, ["national"]),
    "operations supported": (support_access.can_see_operations_supported, ORGUNIT_ROLES),
    "CCA tasking": (tasking_access.can_see_cca_tasking, ORGUNIT_ROLES),
    "manage CCA tasking": (tasking_access.can_manage_cca_tasking, ["national"]),
    "operations": (operations_access.can_see_operations, EVERY_ROLE),
    "manage operations": (operations_access.can_manage_operations, ["national"]),
    "terminus": (terminus_access.can_see_terminus, EVERY_ROLE),
}


@pytest.mark.django_db
@pytest.mark.parametrize("gate", list(GATES))
def test_who_may_open_each_app(personas, gate):
    check, allowed = GATES[gate]
    assert [p for p, u in personas.items() if check(u)] == allowed


@pytest.mark.django_db
@pytest.mark.parametrize("gate", list(GATES))
def test_a_deactivated_user_opens_no_app(national_analyst, gate):
    national_analyst.is_active = False
    national_analyst.save()
    check, _ = GATES[gate]
    assert not check(national_analyst)


@pytest.fixture
def supported(db):
    """An operation supported in each of Kent, Essex and Cleveland."""
    return {
        code: SupportedOperation.objects.create(
            force=OrgUnit.objects.get(code=code),
            operation_name=f"Op {code}",
            crime_type=CrimeType.MS,
            provider=Provider.UNIT,
            start_date=datetime.date(2024, 5, 1),
            fy_start=2024,
        )
        for code in ("kent", "essex", "cleveland")
    }


SUPPORTED_SEEN = {
    "kent": {"kent"},
    "essex": {"essex"},
    "cleveland": {"cleveland"},
    "eastern": {"kent", "essex"},
    "national": {"kent", "essex", "cleveland"},
    "partner": set(),
    "admin": set(),
}


@pytest.mark.parametrize("persona", list(SUPPORTED_SEEN))
def test_operations_supported_are_seen_and_fetched_by_scope(personas, supported, persona):
    user = personas[persona]
    seen = support_access.supported_operations_visible_to(user)
    assert {op.force.code for op in seen} == SUPPORTED_SEEN[persona]
    for code, op in supported.items():
        if code in SUPPORTED_SEEN[persona]:
            assert support_access.get_supported_operation_for_user(user, op.pk) == op
        else:
            with pytest.raises(Http404, match="^No such operation supported$"):
                support_access.get_supported_operation_for_user(user, op.pk)


@pytest.mark.django_db
def test_support_is_logged_by_the_unit_and_the_forces_coordinator(personas):
    kent, cleveland = OrgUnit.objects.get(code="kent"), OrgUnit.objects.get(code="cleveland")
    may_log = {
        p: (
            support_access.can_log_support_for(u, kent),
            support_access.can_log_support_for(u, cleveland),
        )
        for p, u in personas.items()
    }
    assert may_log == {
        "kent": (False, False),
        "essex": (False, False),
        "cleveland": (False, False),
        "eastern": (True, False),
        "national": (True, True),
        "partner": (False, False),
        "admin": (False, False),
    }
