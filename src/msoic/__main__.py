"""The ``msoic`` command: Django's management commands under the product's name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msoic.settings")
    from django.core.management import execute_from_command_line

    from msoic.env import ConfigError

    args = list(sys.argv if argv is None else argv)
    args[0] = "msoic"
    try:
        execute_from_command_line(args)
    except ConfigError as exc:
        # A setting the environment gives (or the folder it names) is unusable: say which,
        # without a traceback.
        sys.stderr.write(f"msoic: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
