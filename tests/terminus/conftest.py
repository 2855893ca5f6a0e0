"""Terminus fixtures: the shared browser fixtures for the browser test."""

from tests.browser.conftest import browser, watched  # noqa: F401 (fixtures for the browser test)
