"""The tester's attacks with write access to the database and no key: drop the triggers,
remove the newest rows (or every row) and set the head back to match. The chain alone
cannot see a rollback to an earlier consistent state; the anchors written outside the
database can, and `verify` reads the configured anchor file by default. The dropped
triggers are reported by `verify` and by `msoic check` (msoic.E202)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from msoic.audit.anchors import anchor_head
from msoic.audit.checks import audit_triggers_in_place
from msoic.audit.log import record, verify_chain
from msoic.audit.maintenance import audit_maintenance
from msoic.audit.models import AuditEvent, AuditHead
from tests.audit.attacker import truncate_after

TRIGGERS = {
    "sqlite": ["audit_auditevent_no_update", "audit_auditevent_no_delete"],
    "postgresql": ["audit_auditevent_append_only", "audit_auditevent_no_truncate"],
}[connection.vendor]


@pytest.fixture
def anchor_file(settings, tmp_path):
    """The deployment's anchor file (MSOIC_AUDIT_ANCHOR_FILE), not yet written."""
    path = tmp_path / "anchors" / "audit-anchors.jsonl"
    settings.MSOIC_AUDIT_ANCHOR_FILE = path
    return path


@pytest.fixture
def log(db, kent_user):
    """Twelve consultations on top of whatever the personas wrote."""
    for i in range(12):
        record(actor=kent_user, action="consultation", object_type="t", object_id=i)
    return list(AuditEvent.objects.order_by("seq"))


def drop_triggers(*names: str) -> None:
    """The attacker's first step (inside the test's transaction, rolled back after)."""
    with connection.cursor() as cursor:
        for name in names or TRIGGERS:
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER {name}")
            else:
                cursor.execute(f"DROP TRIGGER {name} ON audit_auditevent")


def delete_after_and_set_head(seq: int) -> None:
    """Plain SQL, no maintenance path: only works once the triggers are gone."""
    last = AuditEvent.objects.get(seq=seq)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > %s", [seq])
        cursor.execute("UPDATE audit_audithead SET last_seq = %s, last_hash = %s", [seq, last.hash])


def verify(*args: str) -> str:
    import io

    out = io.StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def test_the_testers_truncation_fails_on_the_dropped_triggers(log, anchor_file):
    anchor_head()
    drop_triggers()
    delete_after_and_set_head(log[5].seq)
    with pytest.raises(CommandError, match=f"{TRIGGERS[0]}.*missing") as raised:
        verify()
    assert raised.value.returncode == 1


def test_a_truncation_with_the_head_set_back_fails_against_the_default_anchor_file(
    log, anchor_file
):
    anchored = anchor_head()
    assert anchored is not None and anchor_file.exists()
    truncate_after(log[5].seq)  # the triggers left in place: only the anchors can tell
    with pytest.raises(CommandError) as raised:
        verify()
    assert raised.value.returncode == 1
    message = str(raised.value)
    assert f"first bad row is #{log[5].seq + 1}" in message
    assert f"the log ends at row {log[5].seq}, but row {anchored.seq} was anchored" in message
    assert str(anchor_file) in message


def test_a_row_at_an_anchor_with_another_mac_fails(log, anchor_file):
    anchored = anchor_head()
    assert anchored is not None
    with audit_maintenance():
        AuditEvent.objects.filter(seq=anchored.seq).update(hash="0" * 64)
        AuditHead.objects.filter(pk=1).update(last_hash="0" * 64)
    result = verify_chain()
    assert not result.ok and result.bad_seq == anchored.seq


def test_an_emptied_log_fails_when_an_anchor_exists(log, anchor_file):
    anchored = anchor_head()
    assert anchored is not None
    drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_audithead")
    with pytest.raises(CommandError) as raised:
        verify()
    assert raised.value.returncode == 1 and "missing" in str(raised.value)


def test_an_emptied_log_without_anchors_is_not_proven(db, anchor_file):
    with audit_maintenance():
        AuditEvent.objects.all().delete()
        AuditHead.objects.all().delete()
    result = verify_chain()
    assert result.ok and result.empty and not result.proven
    with pytest.raises(CommandError, match="not proven: it holds no rows") as raised:
        verify()
    assert raised.value.returncode == 2


def test_an_emptied_log_fails_against_an_anchor_after_the_triggers_return(log, anchor_file):
    anchored = anchor_head()
    assert anchored is not None
    with audit_maintenance():
        AuditEvent.objects.all().delete()
        AuditHead.objects.all().delete()
    with pytest.raises(CommandError, match=f"row {anchored.seq} was anchored") as raised:
        verify()
    assert raised.value.returncode == 1


def test_without_anchors_a_truncation_is_not_detectable_and_verify_says_so(log, anchor_file):
    truncate_after(log[5].seq)
    out = verify()  # exit 0: nothing in the database contradicts it
    assert f"audit log intact: {log[5].seq} rows verified" in out
    assert "no anchors checked, so rows removed from the end of the log" in out
    assert "cannot be detected" in out


def test_rows_after_the_last_anchor_are_reported_as_not_proven(log, anchor_file, kent_user):
    anchored = anchor_head()
    assert anchored is not None
    record(actor=kent_user, action="consultation", object_type="t", object_id=99)
    truncate_after(anchored.seq)  # the row written after the anchor is gone
    out = verify()
    assert "the chain passes through 1 anchor(s)" in out and str(anchor_file) in out
    assert f"rows after #{anchored.seq} (the last anchor) are not proven" in out


def test_no_anchors_skips_the_anchor_file_and_says_so(log, anchor_file):
    anchor_head()
    truncate_after(log[5].seq)
    out = verify("--no-anchors")
    assert "anchors not checked (--no-anchors)" in out
    assert "rows removed from the end of the log" in out


def test_an_explicit_anchor_file_overrides_the_configured_one(log, anchor_file, tmp_path):
    anchor_head()
    truncate_after(log[5].seq)
    other = tmp_path / "older.jsonl"
    anchor_head(other)  # anchored after the truncation: consistent with it
    assert "passes through 1 anchor(s)" in verify("--anchors", str(other))


def test_a_malformed_configured_anchor_file_fails_naming_it(log, anchor_file):
    anchor_file.parent.mkdir(parents=True)
    anchor_file.write_text("not json\n")
    with pytest.raises(CommandError, match=f"{anchor_file}, line 1: not an anchor"):
        verify()


def test_a_dropped_trigger_fails_verify_naming_it(log, anchor_file):
    drop_triggers(TRIGGERS[1])
    result = verify_chain()
    assert not result.ok and result.bad_seq is None
    assert TRIGGERS[1] in result.reason and TRIGGERS[0] not in result.reason
    with pytest.raises(CommandError, match=f"not intact: the append-only trigger.*{TRIGGERS[1]}"):
        verify()


def test_the_system_check_reports_dropped_triggers(log):
    assert audit_triggers_in_place(databases=["default"]) == []
    drop_triggers()
    errors = audit_triggers_in_place(databases=["default"])
    assert [e.id for e in errors] == ["msoic.E202"]
    assert all(name in errors[0].msg for name in TRIGGERS)


def test_other_commands_do_not_pay_for_the_trigger_check(log, django_assert_num_queries):
    drop_triggers()
    # Without --database (every command but `check --database` and `migrate`), no query.
    with django_assert_num_queries(0):
        assert audit_triggers_in_place() == []


def test_the_audit_page_says_an_empty_log_is_not_proven(client, national_analyst, anchor_file):
    client.force_login(national_analyst)
    with audit_maintenance():
        AuditEvent.objects.all().delete()
        AuditHead.objects.all().delete()
    page = client.get("/audit/?verify=1").content.decode()
    assert "Chain not proven" in page and "holds no rows" in page


def test_the_audit_page_fails_a_truncation_below_the_configured_anchor(
    client, national_analyst, log, anchor_file
):
    anchor_head()
    truncate_after(log[5].seq)
    client.force_login(national_analyst)
    page = client.get("/audit/?verify=1").content.decode()
    assert "The audit log has been tampered with" in page and "was anchored on" in page
