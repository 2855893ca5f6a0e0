"""Shared fixtures: named personas, set up once per test, and file helpers.

Personas (password for all: ``PERSONA_PASSWORD``):
- ``kent_user`` and ``essex_user``: force users, both forces in the Eastern region;
- ``cleveland_user``: a force user outside Eastern (North East);
- ``eastern_coordinator``: regional coordinator for Eastern (Essex is one of its forces);
- ``national_analyst``; ``partner_user`` (NCA); ``admin_user``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

PERSONA_PASSWORD = "Persona-pass-2024!"

# The browser tests' fixtures (Chromium, watched pages), for every package's browser tests,
# and the whole demo built once for the modules that read it (SQLite).
pytest_plugins = ["tests.browser.fixtures", "tests.demo_snapshot"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """pytest-django's test databases, with their serialized copy (what serialized rollback
    and the restore after a transactional test put back) keeping times to the microsecond.

    Django's JSON serializer cuts times to the millisecond, so the audit rows the migrations
    wrote came back with other times than the ones their MACs seal: every later
    ``verify_chain`` then failed at row #1. In one process pytest-django runs the
    transactional tests after all others, which hid it; under xdist a test file's
    transactional tests run before the next file's tests on the same worker."""
    from django.db import connections

    with django_db_blocker.unblock():
        for alias in connections:
            connection = connections[alias]
            serialized = getattr(connection, "_test_serialized_contents", None)
            if serialized:
                connection._test_serialized_contents = _with_exact_times(serialized, alias)


def _with_exact_times(serialized: str, using: str) -> str:
    """``serialized`` (Django's JSON of the test database) with every date-time field as
    stored, to the microsecond."""
    from django.apps import apps
    from django.db import models

    objects = json.loads(serialized)
    by_model: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        by_model.setdefault(obj["model"], []).append(obj)
    for label, rows in by_model.items():
        model = apps.get_model(label)
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]
        if not names:
            continue
        stored = {
            str(pk): values
            for pk, *values in model._base_manager.using(using)
            .filter(pk__in=[row["pk"] for row in rows])
            .values_list("pk", *names)
        }
        for row in rows:
            for name, value in zip(names, stored[str(row["pk"])], strict=True):
                row["fields"][name] = value.isoformat() if value is not None else None
    return json.dumps(objects)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After any transactional test (browser tests, live server) has flushed the database,
    put back what the migrations loaded, with the same primary keys, so tests that run
    later without a database fixture of their own (module-scoped ones, e.g. the demo's)
    still find the reference org units."""
    result = yield
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if "transactional_db" not in names and "live_server" not in names and not transactional:
        return result
    if nextitem is None:
        # The session's last test: its teardown has already destroyed the test database,
        # and no later test needs the reference rows.
        return result
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    from msoic.orgunits.models import OrgUnit
    from msoic.orgunits.reference import load_reference_orgunits

    with item.config.stash[blocking_manager_key].unblock():
        if not OrgUnit.objects.exists():
            serialized = getattr(connection, "_test_serialized_contents", None)
            if serialized:
                # The flush ran post_migrate (content types, permissions): empty the tables
                # again without it, so the serialized rows go back with their keys.
                from django.core.management import call_command

                call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
                connection.creation.deserialize_db_from_string(serialized)
                _reset_sequences(connection)
            else:
                load_reference_orgunits(OrgUnit)
    return result


def _reset_sequences(connection: Any) -> None:
    """The flush restarted every sequence (PostgreSQL) but the rows just put back carry
    their old keys: move each sequence past its table's highest key, or the next insert
    (an audit row, say) collides with a restored one."""
    from django.apps import apps
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


@pytest.fixture(scope="session")
def _anchor_dir(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return tmp_path_factory.mktemp("audit-anchors")


@pytest.fixture(autouse=True)
def _own_audit_anchor_file(
    settings: Any, monkeypatch: pytest.MonkeyPatch, _anchor_dir: Any, request: Any
) -> None:
    """Each test anchors to a file of its own, never to the checkout's var/ (where `make demo`
    or a developer's `msoic audit anchor` writes the real one, which verify reads by default);
    subprocesses the test starts get it through the environment."""
    path = _anchor_dir / f"{abs(hash(request.node.nodeid)):x}.jsonl"
    settings.MSOIC_AUDIT_ANCHOR_FILE = path
    monkeypatch.setenv("MSOIC_AUDIT_ANCHOR_FILE", str(path))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests create many users; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _force_login_passes_both_factors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Multi-factor authentication is on in tests as in production: the test client's
    shortcuts ``force_login`` and ``login`` give a session that passed both factors
    (tests.auth_helpers); the tests of the second factor itself use ``login_password_only``
    or the login form."""
    from django.test import Client

    from tests.auth_helpers import force_login_with_second_factor, login_with_second_factor

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)
    monkeypatch.setattr(Client, "login", login_with_second_factor)


def _make(username: str, role: str, orgunit: str | None) -> Any:
    """A persona, created once (a module-scoped demo fixture may have made it already)."""
    from msoic.accounts.actions import do_create_user
    from msoic.accounts.models import User

    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    user, _ = do_create_user(
        username,
        role=role,
        orgunit_code=orgunit,
        password=PERSONA_PASSWORD,
        actor="tests",
        check_password=False,
    )
    return user


def fast_hashers() -> Any:
    """For module-scoped fixtures, which the function-scoped hasher setting does not reach."""
    from django.test import override_settings

    return override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """After a module-scoped fixture has built its rows in the module's open transaction
    (``module_data``), before the module's tests, on PostgreSQL: check the foreign keys the
    build deferred to commit. Each test's teardown checks them (Django's TestCase) inside the
    test's savepoint, whose rollback queued every check of the build's rows again: each test
    checked them all (0.4 s a test after the returns demo, 12 s for tests/demo's module).
    Checked once here, in the module's transaction, they are done."""
    result = yield
    if fixturedef.scope == "module":
        from django.db import connection

        if connection.vendor == "postgresql" and connection.in_atomic_block:
            connection.check_constraints()
    return result


@contextmanager
def module_data(blocker: Any) -> Iterator[None]:
    """Data a whole test module reads (an expensive demo build): made once inside a
    transaction that is rolled back when the module ends, so other modules see none of it.
    Each test still runs in its own savepoint (the `db` fixture)."""
    from django.db import transaction

    with blocker.unblock(), fast_hashers(), transaction.atomic():
        yield
        transaction.set_rollback(True)


# Each persona's account: (username, role, org unit), as the fixtures below make them.
PERSONA_ACCOUNTS: dict[str, tuple[str, str, str | None]] = {
    "kent": ("kent.user", "force", "kent"),
    "essex": ("essex.user", "force", "essex"),
    "cleveland": ("cleveland.user", "force", "cleveland"),
    "eastern": ("eastern.coordinator", "regional", "eastern"),
    "national": ("national.analyst", "national", None),
    "partner": ("nca.partner", "partner", "nca"),
    "admin": ("admin.user", "admin", None),
}


@pytest.fixture
def kent_user(db: Any) -> Any:
    return _make(*PERSONA_ACCOUNTS["kent"])


@pytest.fixture
def essex_user(db: Any) -> Any:
    return _make(*PERSONA_ACCOUNTS["essex"])


@pytest.fixture
def cleveland_user(db: Any) -> Any:
    return _make(*PERSONA_ACCOUNTS["cleveland"])


@pytest.fixture
def eastern_coordinator(db: Any) -> Any:
    return _make(*PERSONA_ACCOUNTS["eastern"])


@pytest.fixture
def national_analyst(db: Any) -> Any:
    return _make(*PERSONA_ACCOUNTS["national"])


@pytest.fixture
def partner_user(db: Any) -> Any:
    return _make(*PERSONA_ACCOUNTS["partner"])


@pytest.fixture
def admin_user(db: Any) -> Any:
    return _make(*PERSONA_ACCOUNTS["admin"])


@pytest.fixture
def personas(
    kent_user: Any,
    essex_user: Any,
    cleveland_user: Any,
    eastern_coordinator: Any,
    national_analyst: Any,
    partner_user: Any,
    admin_user: Any,
) -> dict[str, Any]:
    return {
        "kent": kent_user,
        "essex": essex_user,
        "cleveland": cleveland_user,
        "eastern": eastern_coordinator,
        "national": national_analyst,
        "partner": partner_user,
        "admin": admin_user,
    }


def csv_bytes(
    rows: list[list[Any]],
    header: list[str] | None = None,
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header or ["force", "period", "metric", "breakdown", "value", "comment"])
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(
    rows: list[list[Any]],
    header: list[str] | None = None,
    *,
    sheet: str = "Return",
    preamble: int = 0,
) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for i in range(preamble):
        ws.append([f"note {i + 1}"])
    ws.append(header or ["force", "period", "metric", "breakdown", "value", "comment"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def make_csv() -> Callable[..., bytes]:
    return csv_bytes


@pytest.fixture
def make_xlsx() -> Callable[..., bytes]:
    return xlsx_bytes
