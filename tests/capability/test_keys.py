"""The attendee key's secret: configured in production, refused by check --deploy if not."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from msoic.capability.keys import attendee_key, development_secret
from tests.security.test_deploy_check import run_check


def test_production_refuses_to_key_an_attendee_without_its_own_secret(settings):
    settings.PRODUCTION = True
    settings.MSOIC_ATTENDEE_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="MSOIC_ATTENDEE_KEY is required"):
        attendee_key("a@b.uk")
    settings.MSOIC_ATTENDEE_KEY = "short"
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        attendee_key("a@b.uk")


def test_outside_production_the_development_secret_comes_from_secret_key(settings):
    settings.MSOIC_ATTENDEE_KEY = ""
    dev = attendee_key("a@b.uk")
    assert dev == attendee_key("a@b.uk", development_secret(settings.SECRET_KEY))
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    assert attendee_key("a@b.uk") != dev


def test_check_deploy_refuses_the_development_attendee_key(tmp_path):
    proc = run_check(tmp_path, MSOIC_ATTENDEE_KEY="")
    assert proc.returncode != 0
    assert "msoic.E401" in proc.stdout + proc.stderr
