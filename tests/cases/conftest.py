"""Register fixtures: a Kent investigation with a potential victim, made through the actions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from msoic.cases import actions
from msoic.orgunits.models import OrgUnit


@pytest.fixture
def kent(db: Any) -> OrgUnit:
    return OrgUnit.objects.get(code="kent")


@pytest.fixture
def kent_case(kent_user: Any, kent: OrgUnit) -> Any:
    return actions.do_create_investigation(
        kent,
        actor=kent_user,
        crime_reference="46/1000/24",
        opened_on=date(2024, 1, 10),
        exploitation_types=["labour"],
        officer_in_charge="DC Example",
    )


@pytest.fixture
def kent_victim(kent_user: Any, kent_case: Any) -> Any:
    return actions.do_add_person(
        kent_case,
        actor=kent_user,
        category="victim",
        age_group="adult",
        gender="female",
        nationality="Albania",
    )
