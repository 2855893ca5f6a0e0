"""The offence codes a CPS extract may carry (``offences.yaml``) and what each says about
the kind of exploitation, for the linkage's comparison with the register."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

OFFENCES_YAML = Path(__file__).resolve().parent / "offences.yaml"


@dataclass(frozen=True)
class Offence:
    code: str
    label: str
    exploitation: tuple[str, ...]


@cache
def offences() -> dict[str, Offence]:
    data = yaml.safe_load(OFFENCES_YAML.read_text(encoding="utf-8"))
    return {
        code: Offence(code, entry["label"], tuple(entry["exploitation"]))
        for code, entry in data["offences"].items()
    }


def exploitation_of(codes: Iterable[str]) -> list[str]:
    """The exploitation types any of ``codes`` is evidence of, sorted."""
    known = offences()
    return sorted({t for c in codes if c in known for t in known[c].exploitation})
