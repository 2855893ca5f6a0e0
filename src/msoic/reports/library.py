"""The templates shipped with the product (``shipped/<name>.txt``), such as ``annual``.

A shipped template is the first version of the unit's own: once the unit saves a version on
the web, builds use the stored one (:func:`msoic.reports.actions.template_text`)."""

from __future__ import annotations

from pathlib import Path

SHIPPED_DIR = Path(__file__).with_name("shipped")


def shipped_names() -> list[str]:
    return sorted(p.stem for p in SHIPPED_DIR.glob("*.txt"))


def shipped_text(name: str) -> str | None:
    if name not in shipped_names():
        return None
    return (SHIPPED_DIR / f"{name}.txt").read_text(encoding="utf-8")
