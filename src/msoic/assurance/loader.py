"""Reads a standards framework YAML file, checks it, and stores it as a framework version.

Every error names the file and the line, so whoever edits the YAML can find the fault: the
loader keeps each mapping's line (``__line__``) while reading. A version, once loaded, is
never changed: the same text again is a no-op; different text under the same version is
refused (give it a new version), so campaigns stay on the version they used.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

SHIPPED_DIR = Path(__file__).resolve().parent / "frameworks"
LINE = "__line__"
GREEN_RULES = {"warning", "error"}
THRESHOLD_KEYS = {"red_forces", "red_share", "red_amber_share"}


class FrameworkError(ValueError):
    """A framework file is malformed; the message names the file and the line."""


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records where each mapping starts (1-based line)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {
        str(k): v for k, v in loader.construct_mapping(node, deep=True).items()
    }
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_framework(name: str, text: str) -> dict[str, Any]:
    """Check one framework file; return its definition as plain data (no line markers)."""
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise FrameworkError(f"{name}{line}: not valid YAML ({exc})") from exc
    if not isinstance(doc, dict):
        raise FrameworkError(f"{name} line 1: a framework file must be a mapping")

    def fail(node: Any, message: str) -> FrameworkError:
        line = node.get(LINE, 1) if isinstance(node, dict) else 1
        return FrameworkError(f"{name} line {line}: {message}")

    def need(node: Any, key: str, what: str) -> Any:
        if not isinstance(node, dict) or node.get(key) in (None, ""):
            raise fail(node, f"{what}: missing '{key}'")
        return node[key]

    grades = []
    for g in need(doc, "grades", "framework"):
        score = need(g, "score", "grade")
        if not isinstance(score, int | float):
            raise fail(g, f"grade {g.get('code')!r}: score must be a number")
        grades.append(
            {
                "code": str(need(g, "code", "grade")),
                "label": str(need(g, "label", "grade")),
                "score": score,
            }
        )
    codes = [g["code"] for g in grades]
    if len(set(codes)) != len(codes) or not codes:
        raise fail(doc, "grades: codes must be unique and at least one given")

    green_rule = str(doc.get("green_without_evidence", "warning"))
    if green_rule not in GREEN_RULES:
        raise fail(doc, "green_without_evidence must be 'warning' or 'error'")
    thresholds = need(doc, "thresholds", "framework")
    unknown = set(thresholds) - THRESHOLD_KEYS - {LINE}
    if unknown:
        raise fail(thresholds, f"thresholds: unknown key(s) {sorted(unknown)}")
    for key in THRESHOLD_KEYS & set(thresholds):
        if not isinstance(thresholds[key], int | float) or thresholds[key] < 0:
            raise fail(thresholds, f"thresholds: {key} must be a number of at least 0")

    areas: list[dict[str, str]] = []
    for a in need(doc, "areas", "framework"):
        code = str(need(a, "code", "area"))
        if code in {x["code"] for x in areas}:
            raise fail(a, f"duplicate area code {code!r}")
        areas.append({"code": code, "title": str(need(a, "title", f"area {code}"))})
    area_codes = {a["code"] for a in areas}

    standards: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for s in need(doc, "standards", "framework"):
        ref = str(need(s, "ref", "standard"))
        if ref in seen:
            raise fail(s, f"duplicate standard reference {ref!r} (first on line {seen[ref]})")
        seen[ref] = s.get(LINE, 1) if isinstance(s, dict) else 1
        area = str(need(s, "area", f"standard {ref}"))
        if area not in area_codes:
            raise fail(s, f"standard {ref}: unknown area {area!r} (areas: {sorted(area_codes)})")
        maps_from = s.get("maps_from", [])
        if isinstance(maps_from, str):
            maps_from = [maps_from]
        standards.append(
            {
                "ref": ref,
                "area": area,
                "title": str(need(s, "title", f"standard {ref}")),
                "description": str(need(s, "description", f"standard {ref}")).strip(),
                "evidence": str(need(s, "evidence", f"standard {ref}")).strip(),
                "maps_from": [str(m) for m in maps_from],
            }
        )
    return {
        "framework": str(need(doc, "framework", "framework")),
        "version": str(need(doc, "version", "framework")),
        "title": str(need(doc, "title", "framework")),
        "previous_version": str(doc.get("previous_version") or ""),
        "grades": grades,
        "green_without_evidence": green_rule,
        "thresholds": {k: v for k, v in thresholds.items() if k != LINE},
        "areas": areas,
        "standards": standards,
    }


def load_framework_text(name: str, text: str, actor: Any = None) -> tuple[Any, bool]:
    """Store the framework version in ``text`` unless already loaded. Returns (version, created)."""
    from django.db import transaction

    from msoic.assurance.models import FrameworkVersion, Standard
    from msoic.audit.log import record
    from msoic.audit.models import AuditAction

    definition = parse_framework(name, text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    existing = FrameworkVersion.objects.filter(
        framework=definition["framework"], version=definition["version"]
    ).first()
    if existing is not None:
        if existing.sha256 == digest:
            return existing, False
        raise FrameworkError(
            f"{name} line 1: version {definition['version']!r} of {definition['framework']!r} "
            "is already loaded with different text; give the changed file a new version"
        )
    previous = None
    if definition["previous_version"]:
        previous = FrameworkVersion.objects.filter(
            framework=definition["framework"], version=definition["previous_version"]
        ).first()
        if previous is None:
            raise FrameworkError(
                f"{name} line 1: previous_version {definition['previous_version']!r} is not loaded"
            )
        known = set(previous.standards.values_list("reference", flat=True))
        for s in definition["standards"]:
            missing = set(s["maps_from"]) - known
            if missing:
                raise FrameworkError(
                    f"{name}: standard {s['ref']} maps_from unknown reference(s) {sorted(missing)}"
                )
    stored = {k: v for k, v in definition.items() if k != "standards"}
    with transaction.atomic():
        version = FrameworkVersion.objects.create(
            framework=definition["framework"],
            version=definition["version"],
            title=definition["title"],
            file_name=name,
            sha256=digest,
            source=text,
            definition=stored,
            previous=previous,
        )
        Standard.objects.bulk_create(
            Standard(
                framework_version=version,
                position=i,
                area=s["area"],
                reference=s["ref"],
                title=s["title"],
                description=s["description"],
                evidence=s["evidence"],
                maps_from=s["maps_from"],
            )
            for i, s in enumerate(definition["standards"], start=1)
        )
        record(
            actor=actor,
            action=AuditAction.ADMIN,
            obj=version,
            detail={"step": "load_framework", "file": name, "file_sha256": digest},
        )
    return version, True


def load_framework_file(path: Path, actor: Any = None) -> tuple[Any, bool]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FrameworkError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    return load_framework_text(path.name, text, actor=actor)


def load_shipped_frameworks(actor: Any = None) -> None:
    for path in sorted(SHIPPED_DIR.glob("nsts-*.yaml")):
        load_framework_file(path, actor=actor)
