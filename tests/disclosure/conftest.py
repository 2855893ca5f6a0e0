"""Disclosure-control fixtures: the API's bearer-token clients for each persona."""

import pytest
from django.core.cache import cache

from tests.api.conftest import api_as  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Released pictures are cached by register state; each test starts with none."""
    cache.clear()
