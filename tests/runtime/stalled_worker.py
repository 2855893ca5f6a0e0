"""``msoic worker`` whose upload import stops half way, for tests/runtime/test_faults.py.

Run as ``python tests/runtime/stalled_worker.py MARKER worker [OPTIONS]``: the worker runs
as usual, except that once an import has written a file's rows (inside the transaction
that stores the file, before it commits) it writes MARKER and waits, for the test to kill
it with SIGKILL there."""

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
    from msoic.collection import pipeline

    store = pipeline._store

    def store_then_stall(*args: Any, **kwargs: Any) -> Any:
        stored = store(*args, **kwargs)
        marker.write_text("rows written, not committed")
        time.sleep(600)
        return stored

    pipeline._store = store_then_stall  # type: ignore[assignment]
    from msoic.__main__ import main as msoic

    msoic(["msoic", *sys.argv[2:]])


if __name__ == "__main__":
    main()
