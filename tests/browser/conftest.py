"""The browser tests of the dashboards and returns. Their fixtures (``browser``, ``watched``,
the reference org units) are in :mod:`tests.browser.fixtures`, their helpers in
:mod:`tests.browser.helpers`, shared with every package's browser tests.

The names below are the helpers' old home, kept so that work begun before the move still
imports; new code imports from :mod:`tests.browser.helpers`."""

from tests.browser.helpers import axe_violations, log_in, wait_for_charts  # noqa: F401
