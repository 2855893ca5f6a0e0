"""The access layer, tested once with every role: who may read, break down, write, approve."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from msoic.accounts import access
from msoic.audit import access as audit_access
from msoic.collection import access as collection_access
from msoic.collection.models import Submission
from msoic.collection.pipeline import import_file
from msoic.orgunits.models import OrgUnit
from tests.conftest import csv_bytes

READ = {
    # persona: (national, eastern region, kent, essex, cleveland, north-east region)
    "kent": (True, False, True, False, False, False),
    "essex": (True, False, False, True, False, False),
    "cleveland": (True, False, False, False, True, False),
    "eastern": (True, True, True, True, False, False),
    "national": (True, True, True, True, True, True),
    "partner": (True, False, False, False, False, False),
    "admin": (True, False, False, False, False, False),
}
UNITS = ["national", "eastern", "kent", "essex", "cleveland", "north-east"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", list(READ))
def test_who_may_read_which_org_unit(personas, persona):
    user = personas[persona]
    got = tuple(access.can_read_orgunit(user, OrgUnit.objects.get(code=c)) for c in UNITS)
    assert got == READ[persona]
    for code, allowed in zip(UNITS, READ[persona], strict=True):
        if allowed:
            assert access.get_orgunit_for_user(user, code).code == code
        else:
            with pytest.raises(PermissionDenied):
                access.get_orgunit_for_user(user, code)


@pytest.mark.django_db
def test_unknown_org_unit_is_404(national_analyst):
    with pytest.raises(Http404):
        access.get_orgunit_for_user(national_analyst, "atlantis")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "national", "eastern", "kent"),
    [
        ("kent", False, False, False),
        ("eastern", False, True, False),
        ("national", True, True, False),
        ("partner", False, False, False),
        ("admin", False, False, False),
    ],
)
def test_who_may_split_figures_by_region_or_force(personas, persona, national, eastern, kent):
    user = personas[persona]
    got = [
        access.can_break_down_by_orgunit(user, OrgUnit.objects.get(code=c))
        for c in ("national", "eastern", "kent")
    ]
    assert got == [national, eastern, kent]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "writable"),
    [
        ("kent", {"kent"}),
        ("essex", {"essex"}),
        ("eastern", set()),
        ("partner", set()),
        ("admin", set()),
    ],
)
def test_who_may_submit_returns(personas, persona, writable):
    assert set(access.writable_forces(personas[persona]).values_list("code", flat=True)) == writable


@pytest.mark.django_db
def test_national_may_submit_for_every_force_and_approve(
    national_analyst, kent_user, eastern_coordinator
):
    assert access.writable_forces(national_analyst).count() == 43
    assert collection_access.can_approve(national_analyst)
    assert not collection_access.can_approve(kent_user) and not collection_access.can_approve(
        eastern_coordinator
    )


@pytest.mark.django_db
def test_submissions_are_visible_by_scope(personas):
    rows = [[f, "2024-01", "ms_arrests", "", 1, ""] for f in ("kent", "essex", "cleveland")]
    assert import_file("s.csv", csv_bytes(rows), actor=personas["national"]).ok
    visible = {
        p: set(collection_access.submissions_visible_to(u).values_list("orgunit__code", flat=True))
        for p, u in personas.items()
    }
    assert visible["kent"] == {"kent"}
    assert visible["eastern"] == {"kent", "essex"}
    assert visible["national"] == {"kent", "essex", "cleveland"}
    assert visible["partner"] == visible["admin"] == set()
    essex_return = Submission.objects.get(orgunit__code="essex")
    assert (
        collection_access.get_submission_for_user(personas["eastern"], essex_return.pk)
        == essex_return
    )
    for persona in ("kent", "cleveland", "partner", "admin"):
        with pytest.raises(Http404):
            collection_access.get_submission_for_user(personas[persona], essex_return.pk)
    with pytest.raises(Http404):
        collection_access.get_submission_for_user(personas["national"], "not-a-number")


@pytest.mark.django_db
def test_inactive_user_has_no_access(kent_user):
    kent_user.is_active = False
    kent_user.save()
    assert not access.can_read_orgunit(kent_user, OrgUnit.objects.get(code="kent"))
    assert not access.writable_forces(kent_user).exists()


@pytest.mark.django_db
def test_only_national_users_browse_the_audit_log(personas):
    assert [p for p, u in personas.items() if audit_access.can_browse_audit(u)] == ["national"]


@pytest.mark.django_db
def test_create_user_refuses_an_org_unit_for_an_administrator():
    from msoic.accounts.actions import UserError, do_create_user

    with pytest.raises(UserError, match="administrators belong to no org unit"):
        do_create_user("adm", role="admin", orgunit_code="kent", password="x", check_password=False)


@pytest.mark.django_db
def test_create_user_reads_the_password_from_the_environment(monkeypatch, capsys):
    from django.contrib.auth import authenticate
    from django.core.management import call_command

    monkeypatch.setenv("NEW_PW", "Long-enough-secret-42")
    call_command("create_user", "env.user", "--role", "national", "--password-env", "NEW_PW")
    out = capsys.readouterr().out
    assert "password:" not in out
    assert authenticate(username="env.user", password="Long-enough-secret-42") is not None
