"""``msoic worker`` whose linkage run stops half way, for tests/cps/test_killed_worker.py.

Run as ``python tests/cps/stalled_linkage_worker.py MARKER worker [OPTIONS]``: the worker runs
as usual, except that once a linkage run has written its links and its audit row (inside
the transaction that stores them, before it commits) it writes MARKER and waits, for the
test to kill it with SIGKILL there."""

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
    from msoic.cps import actions

    record = actions.record

    def record_then_stall(*args: Any, **kwargs: Any) -> Any:
        written = record(*args, **kwargs)
        if kwargs.get("detail", {}).get("step") == "cps.run_linkage":
            marker.write_text("links written, not committed")
            time.sleep(600)
        return written

    actions.record = record_then_stall  # type: ignore[assignment]
    from msoic.__main__ import main as msoic

    msoic(["msoic", *sys.argv[2:]])


if __name__ == "__main__":
    main()
