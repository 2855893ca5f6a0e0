"""``msoic check --deploy`` is clean with production settings, and would catch a regression."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from msoic.audit.keys import new_key_line


def run_check(tmp_path, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "MSOIC_PRODUCTION": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "MSOIC_ALLOWED_HOSTS": "insight.example.police.uk",
        "MSOIC_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        "MSOIC_AUDIT_KEY": new_key_line("deploy-check"),
        "MSOIC_DISCLOSURE_KEY": secrets.token_urlsafe(32),
        "MSOIC_ATTENDEE_KEY": secrets.token_urlsafe(32),
        "MSOIC_EMAIL_HOST": "smtp.example.police.uk",
        "MSOIC_EMAIL_FROM": "insight@example.police.uk",
    }
    env.update(overrides)
    env = {k: v for k, v in env.items() if v != ""}
    return subprocess.run(
        [sys.executable, "-m", "msoic", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    proc = run_check(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "System check identified no issues (0 silenced)." in proc.stdout


@pytest.mark.parametrize(
    ("overrides", "warning"),
    [
        ({"MSOIC_HSTS_SECONDS": "0"}, "security.W004"),
        ({"MSOIC_SSL_REDIRECT": "false"}, "security.W008"),
        ({"MSOIC_DEBUG": "true"}, "security.W018"),
        ({"SECRET_KEY": "short"}, "security.W009"),
        ({"MSOIC_MFA_DEMO_OFF": "true"}, "msoic.E101"),  # the demo's switch, never deployed
    ],
)
def test_check_deploy_fails_on_a_weakened_setting(tmp_path, overrides, warning):
    proc = run_check(tmp_path, **overrides)
    assert proc.returncode != 0
    assert warning in proc.stdout + proc.stderr


def test_production_without_allowed_hosts_refuses_to_start(tmp_path):
    proc = run_check(tmp_path, MSOIC_ALLOWED_HOSTS="")
    assert proc.returncode != 0 and "MSOIC_ALLOWED_HOSTS is required" in proc.stderr


def test_check_deploy_wants_its_own_disclosure_key(tmp_path):
    proc = run_check(tmp_path, MSOIC_DISCLOSURE_KEY="")
    assert proc.returncode != 0
    assert "msoic.E301" in proc.stdout + proc.stderr
