"""Backups proved by restoring, on the database the suite runs on (SQLite or PostgreSQL):
``msoic backup --to`` writes one archive with a manifest (rows per table, the audit head,
the stored files' hashes); ``msoic backup verify`` restores it into a scratch database and
checks it there, audit log included; ``msoic restore`` fills an empty database and refuses
one that is not; a damaged or altered backup is caught, naming what is wrong."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from msoic.audit.maintenance import audit_maintenance
from msoic.audit.models import GENESIS_HASH, AuditAction, AuditEvent, AuditHead
from msoic.collection.actions import do_approve_submission, do_create_import_job, run_import_job
from msoic.collection.models import StoredFile, Submission
from msoic.runtime.backup import database_url, is_empty, scratch_database
from tests.conftest import csv_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def fresh_audit_log(transactional_db):
    """An audit log that starts empty, as a new deployment's (the migrations' rows, put
    back after an earlier test's flush, are not part of what these tests back up)."""
    with audit_maintenance():
        AuditEvent.objects.all().delete()
    AuditHead.objects.update(last_seq=0, last_hash=GENESIS_HASH)


@pytest.fixture
def returns_sent(fresh_audit_log, kent_user, essex_user, national_analyst):
    """A slice of real use: two forces' uploads (one with a rejected file), one approval."""
    kent = do_create_import_job(
        [
            (f"kent-{m}.csv", csv_bytes([["kent", f"2024-0{m}", "ms_arrests", "", m, ""]]))
            for m in (1, 2, 3)
        ]
        + [("broken.csv", b"not,a,return\n")],
        actor=kent_user,
    )
    essex = do_create_import_job(
        [("essex.csv", csv_bytes([["essex", "2024-01", "ms_charges", "", 7, ""]]))],
        actor=essex_user,
    )
    run_import_job(kent.pk)
    run_import_job(essex.pk)
    do_approve_submission(Submission.objects.order_by("pk").first(), actor=national_analyst)
    assert StoredFile.objects.count() == 4


def read_manifest(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def msoic(*args: str, database: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "msoic", *args],
        env={**os.environ, "DATABASE_URL": database},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_backup_holds_the_database_and_a_manifest_of_it(returns_sent, tmp_path):
    backup = tmp_path / "msoic.backup"
    out = io.StringIO()
    call_command("backup", "--to", str(backup), stdout=out)
    assert f"backup written to {backup}: {connection.vendor}" in out.getvalue()

    manifest = read_manifest(backup)
    head = AuditEvent.objects.order_by("-seq").first()
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["audit_head"] == {"seq": head.seq, "mac": head.hash, "key_id": head.key_id}
    assert manifest["tables"]["collection_storedfile"] == 4
    assert manifest["tables"]["audit_auditevent"] == AuditEvent.objects.count()
    assert manifest["tables"]["collection_submission"] == Submission.objects.count()
    stored = {f["sha256"] for f in manifest["files"] if f["table"] == "collection_storedfile"}
    assert stored == {
        hashlib.sha256(bytes(s.content)).hexdigest() for s in StoredFile.objects.all()
    }
    assert "stored in the database" in manifest["stored_files"]
    assert manifest["created_at"] and manifest["app_version"]


def test_a_backup_is_audited_as_a_disclosure_held_in_the_backup_itself(returns_sent, tmp_path):
    backup = tmp_path / "msoic.backup"
    call_command("backup", "--to", str(backup), stdout=io.StringIO())
    row = AuditEvent.objects.order_by("-seq").first()
    assert row.action == AuditAction.DISCLOSURE
    assert row.actor_label == "backup command"
    assert row.detail == {"step": "runtime.backup", "file": str(backup)}
    assert read_manifest(backup)["audit_head"]["seq"] == row.seq


def test_verify_restores_into_a_scratch_database_and_checks_it(returns_sent, tmp_path):
    backup = tmp_path / "msoic.backup"
    call_command("backup", "--to", str(backup), stdout=io.StringIO())
    out = io.StringIO()
    call_command("backup", "verify", str(backup), stdout=out)
    text = out.getvalue()
    assert "audit log intact" in text
    assert f"backup {backup} verified: restored in" in text


def test_restore_fills_an_empty_database_that_then_checks_out(returns_sent, tmp_path):
    backup = tmp_path / "msoic.backup"
    call_command("backup", "--to", str(backup), stdout=io.StringIO())
    with scratch_database(connection.vendor) as scratch:
        url = database_url(scratch)
        restored = msoic("restore", str(backup), database=url)
        assert restored.returncode == 0, restored.stderr
        assert "it matches its manifest" in restored.stdout
        checked = msoic("backup", "check", str(backup), database=url)
        assert checked.returncode == 0, checked.stderr
        assert "audit log intact" in checked.stdout
        # Restoring twice is refused: the database is no longer empty.
        again = msoic("restore", str(backup), database=url)
        assert again.returncode != 0 and "is not empty" in again.stderr


def test_restore_refuses_a_database_in_use(returns_sent, tmp_path):
    backup = tmp_path / "msoic.backup"
    call_command("backup", "--to", str(backup), stdout=io.StringIO())
    rows = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="is not empty .* restore only into a new database"):
        call_command("restore", str(backup))
    assert AuditEvent.objects.count() == rows


def rewrite_manifest(path: Path, change) -> None:
    with tarfile.open(path) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    manifest = json.loads(members["manifest.json"])
    change(manifest, members)
    members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_verify_names_a_table_that_does_not_match(returns_sent, tmp_path):
    backup = tmp_path / "msoic.backup"
    call_command("backup", "--to", str(backup), stdout=io.StringIO())

    def one_more_file(manifest, members):
        manifest["tables"]["collection_storedfile"] = 5

    rewrite_manifest(backup, one_more_file)
    with pytest.raises(
        CommandError, match="table collection_storedfile: 4 rows, the backup says 5"
    ):
        call_command("backup", "verify", str(backup), stdout=io.StringIO())


def test_verify_refuses_a_damaged_database_copy(returns_sent, tmp_path):
    backup = tmp_path / "msoic.backup"
    call_command("backup", "--to", str(backup), stdout=io.StringIO())

    def flip_a_byte(manifest, members):
        name = manifest["database"]["member"]
        data = bytearray(members[name])
        data[len(data) // 2] ^= 0xFF
        members[name] = bytes(data)

    rewrite_manifest(backup, flip_a_byte)
    with pytest.raises(CommandError, match="does not match its hash: damaged"):
        call_command("backup", "verify", str(backup), stdout=io.StringIO())


def test_a_missing_backup_file_is_named(tmp_path):
    with pytest.raises(CommandError, match=r"nothing\.backup: no such backup file"):
        call_command("backup", "verify", str(tmp_path / "nothing.backup"))


@pytest.mark.django_db(transaction=False)
def test_a_database_only_migrated_counts_as_empty(django_user_model):
    with connection.cursor() as cursor:
        assert is_empty(cursor, connection.vendor)  # the migrations' own audit rows only
    django_user_model.objects.create_user("someone", password="Long-enough-1")
    with connection.cursor() as cursor:
        assert not is_empty(cursor, connection.vendor)
