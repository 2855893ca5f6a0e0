"""Backups proved by restoring (docs/operations.md).

A backup is one tar file: ``manifest.json`` and the database, taken as one consistent copy
(SQLite: the online backup API of ``sqlite3``; PostgreSQL: ``pg_dump`` in custom format on
a snapshot shared with the manifest's counts). Every uploaded file (accepted returns, files
of upload jobs, evidence attachments) is kept in the database, so the database is the whole
of the stored data; the manifest lists each file's SHA-256, computed from its bytes.

The manifest says what the copy holds: rows per table, the audit log's head (seq and MAC),
the files' hashes, when it was made, the database vendor and the app's version.
``check_database`` compares a database with it; a restore is proved by restoring into a
scratch database and checking it there (``msoic backup verify``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

FORMAT = "msoic-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"

# Tables holding uploaded files' bytes: (table, id column, content column).
FILE_TABLES = [
    ("collection_storedfile", "id", "content"),
    ("collection_importjobfile", "id", "content"),
    ("assurance_evidenceattachment", "id", "content"),
]
FILES_NOTE = (
    "Uploaded files are stored in the database (tables "
    + ", ".join(t for t, _, _ in FILE_TABLES)
    + "); no file is kept outside it, so the database copy holds them all."
)
AUDIT_TABLE = "audit_auditevent"
# A database is empty when nobody has done anything in it: no user account, and no audit row
# but those `msoic migrate` writes itself (loading the catalogue and the frameworks).
MIGRATE_ACTOR = "migrate"


class BackupError(Exception):
    """A backup, restore or check cannot go on; the message says where and what."""


@dataclass
class Archive:
    manifest: dict[str, Any]
    database: Path  # the extracted database file (SQLite copy or pg_dump archive)


# --- what a database holds ---------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(cursor: Any, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(str(row[0]) for row in cursor.fetchall())


def describe_database(cursor: Any, vendor: str) -> dict[str, Any]:
    """Row counts per table, the audit head and the stored files' hashes, as the manifest
    keeps them, read through a DB-API cursor on the database."""
    counts: dict[str, int] = {}
    for table in _tables(cursor, vendor):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608
        counts[table] = int(cursor.fetchone()[0])
    head = None
    if AUDIT_TABLE in counts:
        cursor.execute(
            f"SELECT seq, hash, key_id FROM {AUDIT_TABLE} ORDER BY seq DESC LIMIT 1"  # noqa: S608
        )
        row = cursor.fetchone()
        if row is not None:
            head = {"seq": int(row[0]), "mac": str(row[1]), "key_id": str(row[2] or "")}
    files = []
    for table, id_column, content_column in FILE_TABLES:
        if table not in counts:
            continue
        cursor.execute(
            f"SELECT {id_column}, {content_column} FROM {table} ORDER BY {id_column}"  # noqa: S608
        )
        for pk, content in cursor.fetchall():
            data = bytes(content or b"")
            files.append(
                {
                    "table": table,
                    "id": int(pk),
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
    return {"tables": counts, "audit_head": head, "files": files}


def is_empty(cursor: Any, vendor: str) -> bool:
    """True for a database with no tables, or one only migrated: no user account and no
    audit row but those written by ``msoic migrate``."""
    tables = set(_tables(cursor, vendor))
    if "accounts_user" in tables:
        cursor.execute("SELECT 1 FROM accounts_user LIMIT 1")
        if cursor.fetchone() is not None:
            return False
    if AUDIT_TABLE in tables:
        cursor.execute(
            f"SELECT 1 FROM {AUDIT_TABLE} WHERE actor_label <> '{MIGRATE_ACTOR}' LIMIT 1"  # noqa: S608
        )
        if cursor.fetchone() is not None:
            return False
    return True


@contextmanager
def raw_cursor(settings_dict: dict[str, Any]) -> Iterator[Any]:
    """A DB-API cursor on a database of DATABASES, outside Django's connection handling
    (a scratch database is no alias of this process)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        db = sqlite3.connect(str(settings_dict["NAME"]))
        try:
            yield db.cursor()
        finally:
            db.close()
        return
    import psycopg

    with psycopg.connect(**pg_params(settings_dict), autocommit=True) as pg:
        with pg.cursor() as pg_cursor:
            yield pg_cursor


def vendor_of(settings_dict: dict[str, Any]) -> str:
    return "sqlite" if settings_dict["ENGINE"].endswith("sqlite3") else "postgresql"


def pg_params(settings_dict: dict[str, Any]) -> dict[str, Any]:
    params = {
        "dbname": settings_dict["NAME"],
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "sslmode": (settings_dict.get("OPTIONS") or {}).get("sslmode"),
    }
    return {k: v for k, v in params.items() if v is not None}


def app_version() -> str:
    try:
        return metadata.version("msoic-insight")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- PostgreSQL's programs ---------------------------------------------------------------


def pg_program(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: from ``MSOIC_PG_BIN``, else the newest server's
    binaries, else the PATH (a dump needs a ``pg_dump`` at least as new as the server)."""
    folder = os.environ.get("MSOIC_PG_BIN", "")
    if folder:
        return str(Path(folder) / name)
    found = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if found:
        return str(found[-1])
    on_path = shutil.which(name)
    if on_path is None:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client programs or set MSOIC_PG_BIN"
        )
    return on_path


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The libpq variables that point PostgreSQL's programs at a database of DATABASES."""
    env = dict(os.environ)
    for var, key in [
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ]:
        value = str(settings_dict.get(key) or "")
        if value:
            env[var] = value
        else:
            env.pop(var, None)
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed (exit {done.returncode}): {done.stderr.strip()[:2000]}")


# --- making a backup ---------------------------------------------------------------------


def make_backup(target: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write the backup archive to ``target``; return its manifest."""
    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix="msoic-backup-") as tmp:
        work = Path(tmp)
        if connection.vendor == "sqlite":
            member = SQLITE_MEMBER
            copy = work / member
            connection.ensure_connection()
            dst = sqlite3.connect(copy)
            try:
                connection.connection.backup(dst)
            finally:
                dst.close()
            # The copy is the backup: describe it, not the live database, so the manifest
            # and the copy agree even while the service writes.
            with raw_cursor({"ENGINE": "sqlite3", "NAME": copy}) as cursor:
                described = describe_database(cursor, "sqlite")
        elif connection.vendor == "postgresql":
            member = POSTGRES_MEMBER
            described = _pg_dump_with_snapshot(using, work / member)
        else:
            raise BackupError(f"backups of a {connection.vendor} database are not supported")
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(timespec="seconds"),
            "app_version": app_version(),
            "database": {
                "vendor": connection.vendor,
                "member": member,
                "sha256": _file_sha256(work / member),
            },
            "stored_files": FILES_NOTE,
            **described,
        }
        _write_archive(target, manifest, work / member)
    return manifest


def _pg_dump_with_snapshot(using: str, dump: Path) -> dict[str, Any]:
    """Dump on the snapshot the counts are taken on, so the two describe one moment."""
    connection = connections[using]
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(cursor.fetchone()[0])
        _run(
            [
                pg_program("pg_dump"),
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-owner",
                "--no-privileges",
                f"--file={dump}",
            ],
            pg_environment(connection.settings_dict),
            "pg_dump",
        )
        with connection.cursor() as cursor:
            return describe_database(cursor, "postgresql")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_archive(target: Path, manifest: dict[str, Any], database: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    data = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
    with tarfile.open(partial, "w") as tar:
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mtime = int(timezone.now().timestamp())
        tar.addfile(info, io.BytesIO(data))
        tar.add(database, arcname=database.name)
    with partial.open("rb") as f:
        os.fsync(f.fileno())
    partial.replace(target)  # a backup file is complete or absent, never half written


@contextmanager
def open_archive(path: Path) -> Iterator[Archive]:
    """Extract a backup to a temporary folder, checking the database copy's hash."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    with tempfile.TemporaryDirectory(prefix="msoic-restore-") as tmp:
        try:
            with tarfile.open(path, "r") as tar:
                manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
                member = str(manifest["database"]["member"])
                if member not in {SQLITE_MEMBER, POSTGRES_MEMBER}:
                    raise BackupError(f"{path}: unknown database member {member!r}")
                tar.extract(member, tmp, filter="data")
        except (tarfile.TarError, KeyError, ValueError, TypeError, AttributeError) as exc:
            raise BackupError(f"{path}: not an MSOIC backup ({exc})") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{path}: backup format {manifest.get('format')!r}, not {FORMAT}")
        database = Path(tmp) / member
        if _file_sha256(database) != manifest["database"]["sha256"]:
            raise BackupError(f"{path}: the database copy does not match its hash: damaged")
        yield Archive(manifest, database)


# --- restoring ---------------------------------------------------------------------------


def restore(archive: Archive, target: dict[str, Any]) -> None:
    """Restore into the database ``target`` (a DATABASES entry), which must be empty (see
    :func:`is_empty`). Close any connection of this process to it first."""
    vendor = archive.manifest["database"]["vendor"]
    if vendor != vendor_of(target):
        raise BackupError(
            f"the backup is of a {vendor} database; this database is {vendor_of(target)}"
        )
    with raw_cursor(target) as cursor:
        empty = is_empty(cursor, vendor)
    if not empty:
        raise BackupError(
            f"the database {target['NAME']} is not empty (it has user accounts or audit "
            "rows of its own): restore only into a new database, empty or only migrated"
        )
    if vendor == "sqlite":
        src = sqlite3.connect(archive.database)
        dst = sqlite3.connect(str(target["NAME"]))
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        return
    _run(
        [
            pg_program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={target['NAME']}",
            str(archive.database),
        ],
        pg_environment(target),
        "pg_restore",
    )


def check_database(manifest: dict[str, Any], using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What differs between a database and a manifest (empty when they agree)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        found = describe_database(cursor, connection.vendor)
    problems = []
    want, have = manifest["tables"], found["tables"]
    for table in sorted(set(want) | set(have)):
        if want.get(table) != have.get(table):
            problems.append(
                f"table {table}: {have.get(table)} rows, the backup says {want.get(table)}"
            )
    if manifest["audit_head"] != found["audit_head"]:
        problems.append(
            f"audit head {found['audit_head']}, the backup says {manifest['audit_head']}"
        )
    want_files = {(f["table"], f["id"]): f["sha256"] for f in manifest["files"]}
    have_files = {(f["table"], f["id"]): f["sha256"] for f in found["files"]}
    for key in sorted(set(want_files) | set(have_files)):
        if want_files.get(key) != have_files.get(key):
            problems.append(f"file {key[0]} #{key[1]}: its bytes differ from the backup's")
    return problems


# --- databases beside the default one -----------------------------------------------------


def database_url(settings_dict: dict[str, Any]) -> str:
    """A ``DATABASE_URL`` for a database of DATABASES (for a child ``msoic`` process)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = quote(str(settings_dict.get("USER") or ""), safe="")
    password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = str(settings_dict.get("HOST") or "")
    port = str(settings_dict.get("PORT") or "")
    query = []
    if host.startswith("/"):
        query.append(f"host={quote(host, safe='/')}")
        host = ""
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        query.append(f"sslmode={sslmode}")
    netloc = auth + host + (f":{port}" if port else "")
    name = quote(str(settings_dict["NAME"]), safe="")
    return f"postgres://{netloc}/{name}" + ("?" + "&".join(query) if query else "")


# --- proving a backup --------------------------------------------------------------------


@contextmanager
def scratch_database(vendor: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[dict[str, Any]]:
    """A new, empty database beside the default one, as a DATABASES entry; removed
    afterwards (SQLite: a temporary file; PostgreSQL: a database created and dropped, which
    needs a role allowed to create databases)."""
    base = connections[using].settings_dict
    if vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="msoic-verify-") as tmp:
            yield {**base, "NAME": str(Path(tmp) / "scratch.sqlite3")}
        return
    from psycopg import sql

    name = f"msoic_verify_{os.getpid()}_{int(timezone.now().timestamp())}"
    with raw_cursor(base) as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield {**base, "NAME": name}
    finally:
        _drop_database(base, name)


def _drop_database(base: dict[str, Any], name: str) -> None:
    """Drop the scratch database. A plain DROP waits for (and stops) autovacuum, which a
    big restore sets off; FORCE, which also ends other sessions, is the fallback, but a role
    that is not a superuser may not end a process of another role."""
    import time

    from psycopg import errors, sql

    statement = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
    for attempt in range(5):
        try:
            with raw_cursor(base) as cursor:
                cursor.execute(statement)
            return
        except errors.ObjectInUse:
            time.sleep(0.5 * (attempt + 1))
    with raw_cursor(base) as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
