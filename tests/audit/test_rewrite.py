"""A rewrite of the audit log is detected, not only an edit: rows are sealed with a keyed MAC
(key outside the database), so someone who knows the algorithm but not the key cannot
recompute the chain; someone who also holds the key is caught by the anchors written outside
the database. Keys rotate: old rows verify with their own key id."""

from __future__ import annotations

import importlib
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from msoic.audit.anchors import AnchorError, anchor_head, read_anchors
from msoic.audit.log import record, verify_chain
from msoic.audit.maintenance import audit_maintenance
from msoic.audit.models import AuditEvent, AuditHead
from tests.audit.attacker import key, keyring, rewrite, truncate_after

UNIT_KEY = key("2026-12", b"u")
NEXT_KEY = key("2027-06", b"n")
WRONG_KEY = key("2026-12", b"w")  # the right id, a guessed secret


@pytest.fixture
def unit_key(settings):
    settings.MSOIC_AUDIT_KEYRING = keyring(UNIT_KEY)
    return UNIT_KEY


@pytest.fixture
def log(unit_key, national_analyst, kent_user):
    """A small log: Kent consults investigations, the unit discloses a report."""
    for i in range(6):
        record(
            actor=kent_user,
            action="consultation",
            object_type="cases.investigation",
            object_id=100 + i,
            orgunit="kent",
            justification=f"enquiry {i}",
        )
    record(
        actor=national_analyst,
        action="disclosure",
        object_type="report",
        object_id="r1",
        recipient="Home Office",
    )
    return list(AuditEvent.objects.order_by("seq"))


def reassign_consultations_to(user):
    """The attack tried in the review: a consultation row reassigned to someone else."""

    def change(row: AuditEvent) -> None:
        if row.action == "consultation":
            row.actor_id = user.pk
            row.actor_label = user.get_username()

    return change


def test_rows_carry_their_key_id_and_verify_with_it(log):
    assert {r.key_id for r in log if r.actor_label == "kent.user"} == {"2026-12"}
    result = verify_chain()
    assert result.proven and result.checked == len(log) and not result.development_key


def test_a_rewrite_as_plain_sha256_rows_is_detected(log, essex_user):
    """The review's attack: reassign a row, recompute the SHA-256 chain and the head."""
    assert rewrite(reassign_consultations_to(essex_user), seal_with=None) >= len(log)
    result = verify_chain()
    assert not result.ok
    assert "only unkeyed (legacy) rows" in result.reason
    with pytest.raises(CommandError, match="audit log tampered"):
        call_command("audit", "verify")


def test_a_partial_rewrite_as_plain_rows_after_sealed_rows_is_detected(log, essex_user):
    middle = log[len(log) // 2]
    rewrite(reassign_consultations_to(essex_user), seal_with=None, from_seq=middle.seq)
    result = verify_chain()
    assert not result.ok and result.bad_seq == middle.seq
    assert "unkeyed (legacy) row after sealed rows" in result.reason


def test_a_rewrite_with_a_guessed_key_is_detected_at_the_first_row(log, essex_user):
    rewrite(reassign_consultations_to(essex_user), seal_with=WRONG_KEY)
    result = verify_chain()
    assert not result.ok and result.bad_seq == log[0].seq
    assert "does not match its MAC" in result.reason


def test_a_rewrite_under_an_invented_key_id_is_never_reported_intact(log, essex_user, capsys):
    rewrite(reassign_consultations_to(essex_user), seal_with=key("forged", b"f"))
    result = verify_chain()
    assert not result.proven and result.missing_key_ids == ["forged"]
    with pytest.raises(CommandError, match="not proven.*forged") as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 2
    assert "intact" not in capsys.readouterr().out


def test_verify_without_the_key_says_it_cannot_prove_the_macs(log, settings):
    settings.MSOIC_AUDIT_KEYRING = keyring(NEXT_KEY)  # a machine without key 2026-12
    result = verify_chain()
    assert result.ok and not result.proven
    assert result.unproven == sum(1 for r in log if r.key_id == "2026-12")
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify")
    message = str(raised.value)
    assert raised.value.returncode == 2
    assert "key(s) 2026-12, not configured here" in message
    assert "MACs cannot be checked" in message and "links were checked and are intact" in message


def test_without_the_key_a_broken_link_is_still_found(log, settings):
    from tests.audit.attacker import tamper

    tamper(log[3], prev_hash="f" * 64)
    settings.MSOIC_AUDIT_KEYRING = keyring(NEXT_KEY)
    result = verify_chain()
    assert not result.ok and result.bad_seq == log[3].seq and "link" in result.reason


def test_keys_rotate_and_old_rows_verify_with_their_own_key(log, settings, kent_user):
    settings.MSOIC_AUDIT_KEYRING = keyring(NEXT_KEY, UNIT_KEY)
    newer = record(actor=kent_user, action="consultation", object_type="t", object_id=1)
    assert newer.key_id == "2027-06" and newer.prev_hash == log[-1].hash
    assert verify_chain().proven
    settings.MSOIC_AUDIT_KEYRING = keyring(NEXT_KEY)  # the retired key dropped
    result = verify_chain()
    assert result.ok and result.missing_key_ids == ["2026-12"] and result.unproven >= 6


def test_a_rewrite_by_someone_with_the_key_is_caught_by_the_anchors(log, essex_user, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    anchored = anchor_head(anchors)
    assert anchored is not None
    rewrite(reassign_consultations_to(essex_user), seal_with=UNIT_KEY)
    assert verify_chain().proven  # the key holder's rewrite is invisible to the chain alone
    result = verify_chain(anchors=read_anchors(anchors))
    assert not result.ok and result.bad_seq == anchored.seq
    assert "differs from the anchor written on" in result.reason
    with pytest.raises(CommandError, match=f"first bad row is #{anchored.seq}"):
        call_command("audit", "verify", "--anchors", str(anchors))


def test_the_chain_passes_through_every_anchor(log, kent_user, tmp_path, capsys):
    anchors = tmp_path / "anchors.jsonl"
    call_command("audit", "anchor", "--file", str(anchors))
    record(actor=kent_user, action="consultation", object_type="t", object_id=2)
    call_command("audit", "anchor", "--file", str(anchors))
    lines = [json.loads(line) for line in anchors.read_text().splitlines()]
    assert [a["seq"] for a in lines] == [log[-1].seq, log[-1].seq + 1]
    assert lines[0]["mac"] == log[-1].hash and lines[0]["key_id"] == "2026-12"
    assert {"row_at", "anchored_at"} <= set(lines[0])
    capsys.readouterr()
    call_command("audit", "verify", "--anchors", str(anchors))
    assert "the chain passes through 2 anchor(s)" in capsys.readouterr().out


def test_a_truncation_below_an_anchor_is_detected(log, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    anchor_head(anchors)
    truncate_after(log[2].seq)  # rows removed, head moved back: the chain alone looks whole
    assert verify_chain().ok
    result = verify_chain(anchors=read_anchors(anchors))
    assert not result.ok and result.bad_seq == log[2].seq + 1
    assert f"row {log[-1].seq} was anchored" in result.reason


def test_anchors_append_and_never_rewrite_the_file(log, kent_user, tmp_path):
    anchors = tmp_path / "store" / "anchors.jsonl"
    first = anchor_head(anchors)
    before = anchors.read_bytes()
    record(actor=kent_user, action="consultation", object_type="t", object_id=3)
    second = anchor_head(anchors)
    assert first and second and second.seq == first.seq + 1
    assert anchors.read_bytes().startswith(before)


def empty_the_log() -> None:
    """The migrations' own rows removed (inside the test's transaction, rolled back after)."""
    with audit_maintenance():
        AuditEvent.objects.all().delete()
        AuditHead.objects.all().delete()


def test_an_empty_log_writes_no_anchor(db, tmp_path, settings):
    settings.MSOIC_AUDIT_KEYRING = keyring(UNIT_KEY)
    empty_the_log()
    assert anchor_head(tmp_path / "a.jsonl") is None
    assert not (tmp_path / "a.jsonl").exists()


def test_a_malformed_anchor_file_is_named_by_line(tmp_path):
    path = tmp_path / "anchors.jsonl"
    path.write_text('{"seq": 3, "mac": "ab"}\nnot json\n')
    with pytest.raises(AnchorError, match=r"anchors.jsonl, line 2: not an anchor"):
        read_anchors(path)
    path.write_text('{"seq": 3, "mac": "ab"}\n{"seq": 3, "mac": "cd"}\n')
    with pytest.raises(AnchorError, match="row 3 was anchored twice with different MACs"):
        read_anchors(path)


def _insert_legacy_rows(count: int) -> list[AuditEvent]:
    """Rows as the log wrote them before sealing: plain SHA-256, no key id."""
    from django.utils import timezone

    from msoic.audit.models import GENESIS_HASH

    head, _ = AuditHead.objects.get_or_create(pk=1)
    prev = head.last_hash if head.last_seq else GENESIS_HASH
    rows = []
    for i in range(count):
        row = AuditEvent(
            seq=head.last_seq + 1 + i,
            at=timezone.now(),
            actor_label="legacy.user",
            action="consultation",
            object_type="cases.investigation",
            object_id=str(i),
            detail={"n": i},
            prev_hash=prev,
        )
        row.hash = row.compute_hash()
        row.save()
        prev = row.hash
        rows.append(row)
    AuditHead.objects.filter(pk=1).update(last_seq=rows[-1].seq, last_hash=prev)
    return rows


@pytest.fixture
def legacy_log(db, settings):
    """A log from before sealing, upgraded by migration 0005."""
    settings.MSOIC_AUDIT_KEYRING = keyring(UNIT_KEY)
    empty_the_log()
    rows = _insert_legacy_rows(5)
    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("msoic.audit.migrations.0005_seal_legacy_rows")
    migration.seal_legacy_rows(apps, SimpleNamespace(connection=connection))
    return rows


def test_legacy_rows_still_verify_and_are_closed_by_a_sealed_row(legacy_log, kent_user):
    sealing = AuditEvent.objects.get(seq=legacy_log[-1].seq + 1)
    assert sealing.key_id == "2026-12" and sealing.prev_hash == legacy_log[-1].hash
    assert sealing.detail["legacy_rows"] == 5
    record(actor=kent_user, action="consultation", object_type="t", object_id=4)
    result = verify_chain()
    assert result.proven and result.legacy == 5


def test_a_rewritten_legacy_prefix_breaks_the_sealed_row_after_it(legacy_log):
    """The legacy prefix is frozen: re-hashing it changes the hash the sealed row covers."""
    last = legacy_log[-1].seq
    rewrite(lambda r: setattr(r, "object_id", "999"), seal_with=None, to_seq=last)
    result = verify_chain()
    assert not result.ok and result.bad_seq == last + 1 and "link" in result.reason


def test_a_legacy_log_rewritten_without_its_sealed_row_is_detected(legacy_log):
    rewrite(lambda r: setattr(r, "object_id", "999"), seal_with=None)
    result = verify_chain()
    assert not result.ok and "only unkeyed" in result.reason
