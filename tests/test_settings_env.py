"""Settings come from the environment through helpers that fail loudly on bad values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from msoic.env import ConfigError, env_bool, env_int, env_list, parse_database_url


@pytest.mark.parametrize(
    ("url", "engine", "name", "host", "port"),
    [
        (
            "sqlite:///var/x.sqlite3",
            "django.db.backends.sqlite3",
            "/base/var/x.sqlite3",
            None,
            None,
        ),
        (
            "sqlite:////tmp/abs.sqlite3",
            "django.db.backends.sqlite3",
            "/tmp/abs.sqlite3",
            None,
            None,
        ),
        (
            "postgres://u:p%40ss@db.example:5433/msoic",
            "django.db.backends.postgresql",
            "msoic",
            "db.example",
            "5433",
        ),
        (
            "postgresql://u@/msoic?host=/run/postgresql",
            "django.db.backends.postgresql",
            "msoic",
            "/run/postgresql",
            "",
        ),
    ],
)
def test_database_url(url, engine, name, host, port):
    cfg = parse_database_url(url, Path("/base"))
    assert cfg["ENGINE"] == engine and cfg["NAME"] == name
    if host is not None:
        assert cfg["HOST"] == host and cfg["PORT"] == port
    if "p%40ss" in url:
        assert cfg["PASSWORD"] == "p@ss"


def test_unknown_database_scheme_is_refused():
    with pytest.raises(ConfigError, match="mysql"):
        parse_database_url("mysql://x/y", Path("/"))


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("Yes", True), ("0", False), ("off", False)]
)
def test_env_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("MSOIC_FLAG", raw)
    assert env_bool("MSOIC_FLAG") is expected


def test_bad_values_name_the_variable(monkeypatch):
    monkeypatch.setenv("MSOIC_FLAG", "perhaps")
    with pytest.raises(ConfigError, match="MSOIC_FLAG"):
        env_bool("MSOIC_FLAG")
    monkeypatch.setenv("MSOIC_N", "ten")
    with pytest.raises(ConfigError, match="MSOIC_N='ten' is not a whole number"):
        env_int("MSOIC_N", 1)
    monkeypatch.setenv("MSOIC_HOSTS", "a.example, b.example,")
    assert env_list("MSOIC_HOSTS", []) == ["a.example", "b.example"]


def test_production_without_secret_key_refuses_to_start(tmp_path):
    env = {"MSOIC_PRODUCTION": "true", "PATH": "/usr/bin:/bin", "MSOIC_VAR_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "msoic", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0 and "SECRET_KEY is required" in proc.stderr


def test_msoic_command_lists_the_products_commands():
    proc = subprocess.run(
        [sys.executable, "-m", "msoic", "help"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0
    for command in ("import_returns", "query", "create_user", "audit", "load_catalogue"):
        assert command in proc.stdout


def _msoic(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "msoic", *args],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_fresh_clone_without_var_gets_its_database_folder_on_first_command(tmp_path):
    """No var/ in a fresh clone: any command creates the SQLite database's folder first."""
    var = tmp_path / "fresh" / "var"
    proc = _msoic({"MSOIC_VAR_DIR": str(var)}, "migrate", "--no-input", "-v", "0")
    assert proc.returncode == 0, proc.stderr
    assert (var / "msoic.sqlite3").is_file()


def test_a_database_url_in_a_missing_folder_is_created_too(tmp_path):
    db = tmp_path / "elsewhere" / "deep" / "x.sqlite3"
    proc = _msoic({"DATABASE_URL": f"sqlite:///{db}"}, "check")
    assert proc.returncode == 0, proc.stderr
    assert db.parent.is_dir()


def test_a_folder_that_cannot_be_created_is_named_without_a_traceback(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    proc = _msoic({"MSOIC_VAR_DIR": str(blocker / "var")}, "check")
    assert proc.returncode == 2
    assert "configuration error: cannot create the folder" in proc.stderr
    assert str(blocker / "var") in proc.stderr and "MSOIC_VAR_DIR" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.django_db
def test_health_check_asks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_a_missing_pdf_library_is_a_start_up_warning_not_a_failed_report(monkeypatch):
    from msoic.web import checks

    monkeypatch.setattr(checks.ctypes.util, "find_library", lambda name: None)
    (warning,) = checks.pdf_libraries()
    assert warning.id == "msoic.W001" and "pango-1.0" in warning.msg
    assert "apt-get install libpango-1.0-0" in warning.hint


def test_database_connections_are_kept_between_requests():
    for url in ("sqlite:///var/x.sqlite3", "postgres://u:p@db:5432/msoic"):
        assert parse_database_url(url, Path("/base"))["CONN_MAX_AGE"] == 60
