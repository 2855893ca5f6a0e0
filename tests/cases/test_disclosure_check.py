"""A disclosure row names the references it disclosed (listed when short, always digested),
and ``msoic disclosure_check`` tells whether a list is the one disclosed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from msoic.audit.models import AuditEvent
from msoic.cases.consultation import (
    LISTED_REFERENCES,
    Subjects,
    check_disclosure,
    do_record_consultation,
    do_record_disclosure,
    references_digest,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        (["KENT-P000002", "KENT-P000001"], ["KENT-P000001", "KENT-P000002"], True),
        (["KENT-P000001", "KENT-P000001"], ["KENT-P000001"], True),
        ([" KENT-P000001 ", ""], ["KENT-P000001"], True),
        (["KENT-P000001"], ["KENT-P000001", "KENT-P000002"], False),
        (["KENT-P000001"], ["kent-p000001"], False),
        ([], ["KENT-P000001"], False),
    ],
)
def test_the_digest_is_of_the_distinct_sorted_references(
    one: list[str], other: list[str], same: bool
) -> None:
    assert (references_digest(one) == references_digest(other)) is same


def _disclose(actor: Any, people: list[str]) -> AuditEvent:
    return do_record_disclosure(
        actor=actor,
        step="cases.test",
        subjects=Subjects.from_refs([(ref, "kent") for ref in people]),
        recipient="Kent PNC bureau",
        purpose="apply markers",
        object_type="cases.person",
    )


def test_the_command_accepts_the_list_disclosed_and_names_what_differs(
    kent_user: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = _disclose(kent_user, ["KENT-P000001", "KENT-P000002"])
    assert (row.recipient, row.orgunit_code, row.detail["owners"]) == (
        "Kent PNC bureau",
        "kent",
        ["kent"],
    )
    good = tmp_path / "good.txt"
    good.write_text("KENT-P000002\n\nKENT-P000001\n", encoding="utf-8")
    call_command("disclosure_check", str(row.seq), str(good))
    assert "the 2 people match" in capsys.readouterr().out

    bad = tmp_path / "bad.txt"
    bad.write_text("KENT-P000001\nKENT-P000003\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"1 not disclosed \(KENT-P000003\), 1 missing"):
        call_command("disclosure_check", str(row.seq), str(bad))


def test_a_long_disclosure_keeps_the_digest_only_and_still_checks(kent_user: Any) -> None:
    people = [f"KENT-P{n:06d}" for n in range(LISTED_REFERENCES + 1)]
    row = _disclose(kent_user, people)
    assert "people" not in row.detail and row.detail["people_count"] == len(people)
    assert check_disclosure(row, reversed(people)).ok
    result = check_disclosure(row, people[:-1])
    assert not result.ok and f"do not match the {len(people)} disclosed" in result.message


def test_only_a_disclosure_row_can_be_checked(kent_user: Any, tmp_path: Path) -> None:
    seen = do_record_consultation(
        actor=kent_user,
        step="cases.test",
        subjects=Subjects.from_refs([("KENT-P000001", "kent")]),
        justification="Working on the investigation",
    )
    assert seen is not None
    assert "not a disclosure" in check_disclosure(seen, ["KENT-P000001"]).message
    listing = tmp_path / "l.txt"
    listing.write_text("KENT-P000001\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no row #999999"):
        call_command("disclosure_check", "999999", str(listing))


def test_an_output_showing_no_one_writes_no_consultation_row(kent_user: Any) -> None:
    assert do_record_consultation(actor=kent_user, step="cases.test", subjects=Subjects()) is None
    assert not AuditEvent.objects.filter(action="consultation").exists()
