"""``msoic worker`` whose report build stops half way, for tests/reports/test_restart.py.

Run as ``python tests/reports/stalled_build_worker.py MARKER worker [OPTIONS]``: the worker
runs as usual, except that once a build has drawn its output (before it is stored) it
writes MARKER and waits, for the test to kill it with SIGKILL there."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any


def main() -> None:
    marker = Path(sys.argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msoic.settings")
    import django

    django.setup()
    from msoic.reports import render

    draw = render.render

    def draw_then_stall(*args: Any, **kwargs: Any) -> Any:
        drawn = draw(*args, **kwargs)
        marker.write_text("output drawn, not stored")
        time.sleep(600)
        return drawn

    render.render = draw_then_stall  # type: ignore[assignment]
    from msoic.__main__ import main as msoic

    msoic(["msoic", *sys.argv[2:]])


if __name__ == "__main__":
    main()
