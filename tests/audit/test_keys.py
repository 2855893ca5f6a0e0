"""The audit key comes from the environment, never the database: malformed values stop the
application at start naming the variable (never echoing the key); production refuses to
start without one; `check --deploy` refuses the development key."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys

import pytest
from django.core.management import call_command

from msoic.audit.checks import audit_key_set_in_deployment
from msoic.audit.keys import DEV_KEY_ID, keyring_from_env, parse_key
from msoic.env import ConfigError

GOOD = base64.b64encode(b"k" * 32).decode()
SHORT = base64.b64encode(b"k" * 16).decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("no-colon-here", "a key is written <id>:<base64>"),
        (f"bad id!:{GOOD}", "key id 'bad id!' must be"),
        ("k1:not*base64", "the key with id 'k1' is not valid base64"),
        (f"k1:{SHORT}", "is 16 bytes; at least 32 are needed"),
    ],
)
def test_a_malformed_key_is_refused_naming_the_variable(value, message):
    with pytest.raises(ConfigError, match="^MSOIC_AUDIT_KEY: ") as raised:
        parse_key(value, "MSOIC_AUDIT_KEY")
    assert message in str(raised.value)
    assert GOOD not in str(raised.value) and SHORT not in str(raised.value)


def test_a_urlsafe_key_is_accepted():
    raw = bytes(range(200, 240))
    key = parse_key("2026-12:" + base64.urlsafe_b64encode(raw).decode().rstrip("="), "X")
    assert key.id == "2026-12" and key.secret == raw


@pytest.fixture
def environment(monkeypatch):
    for name in ("MSOIC_AUDIT_KEY", "MSOIC_AUDIT_RETIRED_KEYS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_without_a_key_refuses(environment):
    with pytest.raises(ConfigError, match="MSOIC_AUDIT_KEY is required when MSOIC_PRODUCTION"):
        keyring_from_env(production=True, secret_key="s")


def test_outside_production_a_development_key_is_derived(environment):
    ring = keyring_from_env(production=False, secret_key="s")
    assert ring.current.id == DEV_KEY_ID and ring.is_development
    assert ring.current.secret != keyring_from_env(production=False, secret_key="t").current.secret


def test_a_current_and_retired_keys_make_one_keyring(environment):
    environment.setenv("MSOIC_AUDIT_KEY", f"2027-06:{GOOD}")
    environment.setenv("MSOIC_AUDIT_RETIRED_KEYS", f"2026-12:{GOOD}, 2026-06:{GOOD}")
    ring = keyring_from_env(production=True, secret_key="s")
    assert ring.ids == ["2027-06", "2026-12", "2026-06"] and not ring.is_development


@pytest.mark.parametrize(
    ("current", "retired", "message"),
    [
        (f"k1:{GOOD}", f"k1:{GOOD}", "key id(s) k1 given more than once"),
        (f"dev:{GOOD}", "", "the key id 'dev' is kept for the development key"),
    ],
)
def test_inconsistent_keyrings_are_refused_in_production(environment, current, retired, message):
    environment.setenv("MSOIC_AUDIT_KEY", current)
    environment.setenv("MSOIC_AUDIT_RETIRED_KEYS", retired)
    with pytest.raises(ConfigError, match=re.escape(message)):
        keyring_from_env(production=True, secret_key="s")


def test_the_application_refuses_to_start_in_production_without_the_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MSOIC_", "DATABASE_URL"))}
    env.update(
        MSOIC_PRODUCTION="true",
        SECRET_KEY="a-production-secret-key-" + "x" * 40,
        MSOIC_ALLOWED_HOSTS="insight.example.police.uk",
        MSOIC_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="msoic.settings",
    )
    done = subprocess.run(
        [sys.executable, "-m", "msoic", "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "MSOIC_AUDIT_KEY is required when MSOIC_PRODUCTION is true" in done.stderr


def test_check_deploy_refuses_the_development_key(settings):
    settings.MSOIC_AUDIT_KEYRING = keyring_from_env(production=False, secret_key="s")
    errors = audit_key_set_in_deployment()
    assert [e.id for e in errors] == ["msoic.E201"]
    assert "MSOIC_AUDIT_KEY is not set" in errors[0].msg


def test_check_deploy_accepts_a_real_key(settings, environment):
    environment.setenv("MSOIC_AUDIT_KEY", f"2026-12:{GOOD}")
    settings.MSOIC_AUDIT_KEYRING = keyring_from_env(production=False, secret_key="s")
    assert audit_key_set_in_deployment() == []


def test_new_key_prints_a_key_the_settings_accept(capsys):
    call_command("audit", "new-key", "2027-06")
    line = capsys.readouterr().out.strip()
    assert line.startswith("MSOIC_AUDIT_KEY=2027-06:")
    key = parse_key(line.split("=", 1)[1], "MSOIC_AUDIT_KEY")
    assert key.id == "2027-06" and len(key.secret) == 32
