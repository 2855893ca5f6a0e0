"""The programme's pillars as data: the three the migration seeds with their objectives,
counted through the metric engine as the nation's figure; the unit's page to change one
(audited, refused whole for bad input), read by everyone signed in."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from msoic.audit.models import AuditEvent
from msoic.metrics import engine, sources
from msoic.orgunits.models import OrgUnit
from msoic.programme import actions
from msoic.programme.models import Pillar
from msoic.programme.source import OBJECTIVES, PILLARS, PROGRAMME_SOURCE

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def figure(metric: str, period: str, code: str = "national") -> int | None:
    return engine.query(metric, OrgUnit.objects.get(code=code), period).value


def edit(pillar: Pillar, actor: Any, **changes: Any) -> Pillar:
    fields: dict[str, Any] = {
        "name": pillar.name,
        "summary": pillar.summary,
        "objectives": list(pillar.objectives.values_list("text", flat=True)),
        "introduced_on": pillar.introduced_on,
        "retired_on": pillar.retired_on,
    }
    return actions.do_edit_pillar(pillar, actor=actor, **(fields | changes))


def test_the_migration_seeds_the_three_pillars_with_their_objectives() -> None:
    pillars = list(Pillar.objects.all())
    assert [(p.number, p.code, p.name) for p in pillars] == [
        (1, "understand", "Understand"),
        (2, "engage", "Engage"),
        (3, "deliver", "Deliver"),
    ]
    assert [p.objectives.count() for p in pillars] == [3, 3, 3]


def test_pillars_and_objectives_are_the_nations_figures_through_the_engine(
    personas: dict[str, Any],
) -> None:
    assert sources.source_for(PILLARS) is sources.source_for(OBJECTIVES) is PROGRAMME_SOURCE
    assert figure(PILLARS, "FY2023-24") == 3
    assert figure(OBJECTIVES, "FY2023-24") == 9
    assert figure(PILLARS, "FY2023-24", "kent") == 0
    assert figure(PILLARS, "FY2023-24", "eastern") == 0
    engage = Pillar.objects.get(code="engage")
    edit(engage, personas["national"], retired_on=date(2024, 1, 1))
    assert figure(PILLARS, "FY2022-23") == 3  # as at 31 March 2023
    assert figure(PILLARS, "FY2023-24") == 2
    assert figure(OBJECTIVES, "FY2023-24") == 6
    assert figure(PILLARS, "2023-12") == 3


def test_the_unit_changes_a_pillar_on_the_web_audited(personas: dict[str, Any]) -> None:
    c = client_for(personas["national"])
    page = c.get("/programme/pillars/deliver/").content.decode()
    assert "Help forces meet the national policing standards" in page
    response = c.post(
        "/programme/pillars/deliver/",
        {
            "name": "Deliver",
            "summary": "Raise standards and secure outcomes",
            "objectives": "Raise standards\n\n  Meet the tasking  \nSecure outcomes\nTrain forces\n",
        },
    )
    assert response.status_code == 302
    deliver = Pillar.objects.get(code="deliver")
    assert list(deliver.objectives.values_list("position", "text")) == [
        (1, "Raise standards"),
        (2, "Meet the tasking"),
        (3, "Secure outcomes"),
        (4, "Train forces"),
    ]
    assert figure(OBJECTIVES, "FY2023-24") == 10
    event = AuditEvent.objects.get(detail__step="programme.edit_pillar")
    assert event.object_id == "deliver" and event.action == "alteration"
    assert set(event.detail["changed"]) == {"summary", "objectives"}
    assert event.detail["before"]["objectives"][0] == (
        "Help forces meet the national policing standards"
    )
    # The same again writes nothing.
    c.post(
        "/programme/pillars/deliver/",
        {
            "name": "Deliver",
            "summary": "Raise standards and secure outcomes",
            "objectives": "Raise standards\nMeet the tasking\nSecure outcomes\nTrain forces",
        },
    )
    assert AuditEvent.objects.filter(detail__step="programme.edit_pillar").count() == 1
    listing = c.get("/programme/").content.decode()
    assert "Pillar 3: Deliver" in listing and "Train forces" in listing
    assert c.get("/programme/pillars/nothing/").status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "needs a name"),
        ({"name": "understand"}, "already a pillar called"),
        ({"objectives": ["", "  "]}, "at least one objective"),
        ({"objectives": ["x" * 301]}, "at most 300 characters"),
        (
            {"introduced_on": date(2024, 4, 1), "retired_on": date(2023, 4, 1)},
            "retired after it was introduced",
        ),
    ],
)
def test_a_bad_change_is_refused_whole(
    personas: dict[str, Any], changes: dict[str, Any], message: str
) -> None:
    engage = Pillar.objects.get(code="engage")
    with pytest.raises(ValidationError, match=message):
        edit(engage, personas["national"], **changes)
    engage.refresh_from_db()
    assert engage.name == "Engage" and engage.objectives.count() == 3
    assert not AuditEvent.objects.filter(detail__step="programme.edit_pillar").exists()


def test_everyone_signed_in_reads_the_pillars_and_only_the_unit_changes_them(
    personas: dict[str, Any],
) -> None:
    for persona, user in personas.items():
        c = client_for(user)
        page = c.get("/programme/")
        assert page.status_code == 200, persona
        assert ("/programme/pillars/engage/" in page.content.decode()) is (persona == "national")
        expected = 200 if persona == "national" else 403
        assert c.get("/programme/pillars/engage/").status_code == expected, persona
        posted = c.post("/programme/pillars/engage/", {"name": "Engage", "objectives": "x"})
        assert posted.status_code == (302 if persona == "national" else 403), persona
    assert Client().get("/programme/").status_code == 302  # to the login page
    with pytest.raises(PermissionDenied):
        edit(Pillar.objects.get(code="engage"), personas["kent"], name="Engage more")
