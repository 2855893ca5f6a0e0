"""The collection pipeline: versions, identical files, warnings that need a comment,
locks, dry runs, atomic files, and the import_returns command."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from msoic.audit.models import AuditEvent
from msoic.collection.actions import do_approve_submission, do_unlock_submission
from msoic.collection.models import Submission, SubmissionVersion, Value
from msoic.collection.pipeline import import_file
from msoic.metrics.periods import add_months, format_month
from tests.conftest import csv_bytes, xlsx_bytes

ROW = ["kent", "2024-01", "ms_arrests", "", 3, ""]


def history(force: str, metric: str, last: str, months: int, value: int) -> bytes:
    end = date(int(last[:4]), int(last[5:]), 1)
    return csv_bytes(
        [[force, format_month(add_months(end, -i)), metric, "", value, ""] for i in range(months)]
    )


@pytest.mark.django_db
def test_accepted_file_is_a_new_version_with_its_hash(kent_user):
    data = csv_bytes([ROW, ["kent", "2024-01", "ms_charges", "", 1, ""]])
    outcome = import_file("jan.csv", data, actor=kent_user)
    assert outcome.status == "accepted" and outcome.rows == 2
    sub = Submission.objects.get(
        dataset="ms-monthly", orgunit__code="kent", period=date(2024, 1, 1)
    )
    version = sub.current_version
    assert version.number == 1 and version.source == "csv" and version.submitted_by == kent_user
    import hashlib

    assert (
        version.file.sha256 == hashlib.sha256(data).hexdigest()
        and bytes(version.file.content) == data
    )
    assert sub.first_received_at is not None
    assert AuditEvent.objects.filter(
        action="collection", object_id=str(sub.pk), actor=kent_user
    ).exists()


@pytest.mark.django_db
def test_resending_an_identical_file_changes_nothing(kent_user):
    data = csv_bytes([ROW])
    import_file("jan.csv", data, actor=kent_user)
    before = (SubmissionVersion.objects.count(), Value.objects.count(), AuditEvent.objects.count())
    outcome = import_file("jan.csv", data, actor=kent_user)
    assert outcome.status == "unchanged"
    assert (
        SubmissionVersion.objects.count(),
        Value.objects.count(),
        AuditEvent.objects.count(),
    ) == before


@pytest.mark.django_db
def test_correction_is_a_new_version_and_the_old_one_stays_readable(kent_user):
    import_file(
        "jan.csv", csv_bytes([ROW, ["kent", "2024-01", "ms_charges", "", 1, ""]]), actor=kent_user
    )
    outcome = import_file(
        "jan-v2.csv",
        csv_bytes([["kent", "2024-01", "ms_arrests", "", 4, "late arrest added"]]),
        actor=kent_user,
    )
    assert outcome.status == "accepted" and outcome.submissions[0].state == "corrected"
    sub = Submission.objects.get(orgunit__code="kent", period=date(2024, 1, 1))
    v1, v2 = sub.versions.order_by("number")
    assert dict(v1.values.values_list("metric", "value")) == {"ms_arrests": 3, "ms_charges": 1}
    # metrics absent from the correction are carried forward
    assert dict(v2.values.values_list("metric", "value")) == {"ms_arrests": 4, "ms_charges": 1}
    assert set(Value.objects.filter(is_current=True).values_list("version__number", flat=True)) == {
        2
    }
    assert AuditEvent.objects.filter(action="alteration", object_id=str(sub.pk)).count() == 1


@pytest.mark.django_db
def test_one_file_may_hold_several_returns_and_is_stored_all_or_nothing(national_analyst):
    rows = [
        ROW,
        ["essex", "2024-01", "oic_disruptions", "", 2, ""],
        ["cleveland", "2023-12", "ms_arrests", "", 1, ""],
    ]
    outcome = import_file("many.csv", csv_bytes(rows), actor=national_analyst)
    assert outcome.status == "accepted" and len(outcome.submissions) == 3
    bad = rows + [["durham", "2023-12", "ms_arrests", "", "x", ""]]
    before = Value.objects.count()
    assert import_file("many2.csv", csv_bytes(bad), actor=national_analyst).status == "rejected"
    assert Value.objects.count() == before


@pytest.mark.django_db
def test_value_far_above_recent_level_needs_a_comment(kent_user):
    assert import_file("h.csv", history("kent", "ms_arrests", "2023-12", 12, 4), actor=kent_user).ok
    spike = csv_bytes([["kent", "2024-01", "ms_arrests", "", 40, ""]])
    outcome = import_file("spike.csv", spike, actor=kent_user)
    assert outcome.status == "needs-comment"
    warning = outcome.warnings[0]
    assert warning.row == 2 and warning.column == "E" and "median of 4" in warning.message
    assert not Submission.objects.filter(period=date(2024, 1, 1)).exists()
    # acknowledged in the file's comment column ...
    explained = csv_bytes(
        [["kent", "2024-01", "ms_arrests", "", 40, "Operation Aidant week of action"]]
    )
    assert import_file("spike.csv", explained, actor=kent_user).status == "accepted"
    version = Submission.objects.get(period=date(2024, 1, 1)).current_version
    assert version.acknowledged_warnings[0]["comment"] == "Operation Aidant week of action"


@pytest.mark.django_db
def test_warning_can_be_acknowledged_outside_the_file(kent_user):
    import_file("h.csv", history("kent", "ms_arrests", "2023-12", 12, 4), actor=kent_user)
    spike = csv_bytes([["kent", "2024-01", "ms_arrests", "", 40, ""]])
    key = import_file("spike.csv", spike, actor=kent_user).warnings[0].key
    outcome = import_file(
        "spike.csv", spike, actor=kent_user, acknowledgements={key: "Raid on car wash"}
    )
    assert outcome.status == "accepted"
    assert Value.objects.get(period=date(2024, 1, 1), is_current=True).comment == "Raid on car wash"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("history_value", "new", "warns"),
    [(0, 3, False), (0, 11, True), (1, 5, False), (20, 59, False), (20, 61, True)],
)
def test_outlier_rule_is_quiet_for_small_counts(kent_user, history_value, new, warns):
    import_file(
        "h.csv", history("kent", "ms_arrests", "2023-12", 12, history_value), actor=kent_user
    )
    outcome = import_file(
        "n.csv", csv_bytes([["kent", "2024-01", "ms_arrests", "", new, ""]]), actor=kent_user
    )
    assert (outcome.status == "needs-comment") == warns


@pytest.mark.django_db
def test_approved_return_is_locked_until_unlocked(kent_user, national_analyst):
    import_file("jan.csv", csv_bytes([ROW]), actor=kent_user)
    sub = Submission.objects.get()
    do_approve_submission(sub, actor=national_analyst)
    outcome = import_file(
        "jan2.csv", csv_bytes([["kent", "2024-01", "ms_arrests", "", 5, ""]]), actor=kent_user
    )
    assert outcome.status == "rejected" and "approved and is locked" in outcome.errors[0].message
    with pytest.raises(Exception, match="Say why"):
        do_unlock_submission(sub, actor=national_analyst, reason=" ")
    do_unlock_submission(sub, actor=national_analyst, reason="Kent found a miscount")
    assert AuditEvent.objects.filter(
        action="unlock", justification="Kent found a miscount"
    ).exists()
    assert import_file(
        "jan2.csv", csv_bytes([["kent", "2024-01", "ms_arrests", "", 5, ""]]), actor=kent_user
    ).ok


@pytest.mark.django_db
def test_force_user_cannot_approve(kent_user):
    import_file("jan.csv", csv_bytes([ROW]), actor=kent_user)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        do_approve_submission(Submission.objects.get(), actor=kent_user)


@pytest.mark.django_db
def test_dry_run_checks_but_stores_nothing(kent_user):
    outcome = import_file("jan.csv", csv_bytes([ROW]), actor=kent_user, dry_run=True)
    assert outcome.status == "accepted" and outcome.submissions[0].state == "would-store"
    assert (
        not Submission.objects.exists()
        and not AuditEvent.objects.filter(action="collection").exists()
    )


@pytest.mark.django_db
def test_xlsx_and_csv_of_the_same_figures_are_the_same_return(kent_user):
    assert (
        import_file("jan.xlsx", xlsx_bytes([ROW], preamble=4), actor=kent_user).status == "accepted"
    )
    assert import_file("jan.csv", csv_bytes([ROW]), actor=kent_user).status == "unchanged"


@pytest.mark.django_db
def test_import_returns_command_prints_outcomes_and_fails_on_rejection(tmp_path, kent_user, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([ROW]))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["kent", "2024-01", "ms_charges", "", "-3", ""]]))
    call_command("import_returns", str(good), "--user", "kent.user", "--no-progress")
    out = capsys.readouterr().out
    assert "good.csv: ACCEPTED" in out and "1 accepted" in out
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_returns", str(good), str(bad), "--user", "kent.user", "--no-progress")
    out = capsys.readouterr().out
    assert "good.csv: UNCHANGED" in out
    assert (
        f"{bad}: Row 2, Modern slavery charges, column E: "
        "Value must be a whole number of 0 or more: -3 is negative" in out
    )


@pytest.mark.django_db
def test_import_returns_dry_run(tmp_path, kent_user, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([ROW]))
    call_command("import_returns", str(good), "--dry-run", "--user", "kent.user", "--no-progress")
    assert "would be accepted" in capsys.readouterr().out
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_import_returns_refuses_unknown_user(tmp_path):
    with pytest.raises(CommandError, match="no active user"):
        call_command("import_returns", str(tmp_path / "x.csv"), "--user", "ghost")


@pytest.mark.django_db
def test_resending_an_approved_return_unchanged_is_not_an_error(kent_user, national_analyst):
    data = csv_bytes([ROW, ["kent", "2024-01", "ms_charges", "", 1, ""]])
    import_file("jan.csv", data, actor=kent_user)
    do_approve_submission(Submission.objects.get(), actor=national_analyst)
    again = import_file("jan.csv", data, actor=kent_user)
    assert again.status == "unchanged" and again.submissions[0].state == "unchanged"
    # a file mixing an unchanged locked return with a new month stores only the new month
    mixed = csv_bytes([ROW, ["kent", "2024-02", "ms_arrests", "", 2, ""]])
    outcome = import_file("mixed.csv", mixed, actor=kent_user)
    assert outcome.status == "accepted"
    assert sorted((s.period, s.state) for s in outcome.submissions) == [
        ("2024-01", "unchanged"),
        ("2024-02", "new"),
    ]
    assert Submission.objects.get(period=date(2024, 1, 1)).versions.count() == 1
