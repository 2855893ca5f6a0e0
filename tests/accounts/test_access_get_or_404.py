"""One way to fetch a record by key for a user: the row if it is in the user's queryset,
otherwise 404 (another force's row, a missing row and a malformed key look the same), with
a ``denied`` audit row when asked for."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from msoic.accounts.access import get_or_404
from msoic.audit.models import AuditEvent
from msoic.collection import access as collection_access
from msoic.collection.models import Submission
from msoic.collection.pipeline import import_file
from tests.conftest import csv_bytes

NO_SUCH_KEY = 10**9


@pytest.fixture
def returns(national_analyst):
    """A January return each from Kent and Essex."""
    rows = [[f, "2024-01", "ms_arrests", "", 1, ""] for f in ("kent", "essex")]
    assert import_file("s.csv", csv_bytes(rows), actor=national_analyst).ok
    return {s.orgunit.code: s for s in Submission.objects.select_related("orgunit")}


def denied_rows():
    return list(AuditEvent.objects.filter(action="denied").order_by("seq"))


@pytest.mark.django_db
def test_a_row_in_the_users_queryset_is_returned(returns, kent_user):
    visible = collection_access.submissions_visible_to(kent_user)
    assert get_or_404(visible, returns["kent"].pk) == returns["kent"]
    assert get_or_404(visible, str(returns["kent"].pk)) == returns["kent"]


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["essex", NO_SUCH_KEY, "not-a-number", None])
def test_another_forces_row_a_missing_row_and_a_bad_key_are_all_404(returns, kent_user, key):
    pk = returns["essex"].pk if key == "essex" else key
    visible = collection_access.submissions_visible_to(kent_user)
    with pytest.raises(Http404, match="^No such return$"):
        get_or_404(visible, pk, message="No such return")
    assert denied_rows() == []


@pytest.mark.django_db
def test_the_404_names_the_model_when_no_message_is_given(returns, kent_user):
    with pytest.raises(Http404, match="^No such submission$"):
        get_or_404(collection_access.submissions_visible_to(kent_user), NO_SUCH_KEY)


@pytest.mark.django_db
def test_a_refusal_is_audited_alike_whether_or_not_the_row_exists(returns, kent_user):
    visible = collection_access.submissions_visible_to(kent_user)
    for pk in (returns["essex"].pk, NO_SUCH_KEY):
        with pytest.raises(Http404):
            get_or_404(visible, pk, audit_denied=kent_user)
    rows = denied_rows()
    assert [r.object_id for r in rows] == [str(returns["essex"].pk), str(NO_SUCH_KEY)]
    for row in rows:
        assert row.actor == kent_user
        assert row.object_type == "collection.submission"
        assert row.orgunit_code == "kent"
        assert row.detail == {"reason": "outside the user's scope"}


@pytest.mark.django_db
def test_an_overlong_key_is_cut_to_the_audit_columns_width(returns, kent_user):
    with pytest.raises(Http404):
        get_or_404(
            collection_access.submissions_visible_to(kent_user), "9" * 200, audit_denied=kent_user
        )
    assert [r.object_id for r in denied_rows()] == ["9" * 64]


@pytest.mark.django_db
def test_nobody_signed_in_is_refused_without_an_audit_row(returns):
    with pytest.raises(Http404):
        get_or_404(Submission.objects.none(), returns["kent"].pk, audit_denied=AnonymousUser())
    assert denied_rows() == []
