"""Disclosure-control fixtures: the API's bearer-token clients for each persona."""

import pytest
from django.core.cache import cache

from tests.api.conftest import api_as  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Released pictures are cached by register state; each test starts with none."""
    cache.clear()


@pytest.fixture
def returns_counted_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    """For attacks on suppression and perturbation over a few test returns: any received
    return counts the year as complete (the coverage rule has its own tests)."""
    import dataclasses

    from msoic.disclosure import values
    from msoic.disclosure.policy import get_policy

    lenient = dataclasses.replace(get_policy(), complete_share=1e-9)
    monkeypatch.setattr(values, "get_policy", lambda: lenient)
