"""The referral proforma's indicators and the investigator guidance, read from
``data/pathway.yaml`` (definitions are data: the forms and pages follow the file)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PATHWAY_FILE = Path(__file__).resolve().parent / "data" / "pathway.yaml"


@dataclass(frozen=True)
class Guidance:
    title: str
    text: str


@dataclass(frozen=True)
class Pathway:
    indicators: tuple[tuple[str, str], ...]  # (code, label)
    guidance: tuple[Guidance, ...]


@cache
def pathway() -> Pathway:
    doc = yaml.safe_load(PATHWAY_FILE.read_text(encoding="utf-8"))
    indicators = tuple((str(i["code"]), str(i["label"])) for i in doc["indicators"])
    codes = [code for code, _ in indicators]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{PATHWAY_FILE.name}: an indicator code is listed twice")
    guidance = tuple(Guidance(str(g["title"]), str(g["text"])) for g in doc["guidance"])
    return Pathway(indicators, guidance)


def indicator_label(code: str) -> str:
    """The label of an indicator code (a code no longer listed shows as itself)."""
    return dict(pathway().indicators).get(code, code)
