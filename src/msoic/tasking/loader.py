"""Reads a CCA tasking YAML file, checks it, and stores its versions.

A file holds the tasking, its measures (with their first thresholds) and its versions: the
first is ``issued``; each later one is ``revised`` and may carry threshold changes, each
with a reason (a change without one is refused). Loading stores every version not yet
loaded and applies its changes through :func:`msoic.tasking.actions.do_revise_threshold`,
so a threshold's history is the same whether it changed in a file or on the web. A version
already loaded with the same content is a no-op; with different content it is refused
(issue a new version instead). Every error names the file and the line.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from msoic.metrics.periods import Period, PeriodError

SHIPPED_DIR = Path(__file__).resolve().parent / "taskings"
LINE = "__line__"
APPLIES_TO = ("forces", "rocus", "both")


class TaskingError(ValueError):
    """A tasking file is malformed; the message names the file and the line."""


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records where each mapping starts (1-based line)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {
        str(k): v for k, v in loader.construct_mapping(node, deep=True).items()
    }
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items() if k != LINE}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, date):
        return node.isoformat()
    return node


def parse_tasking(name: str, text: str) -> dict[str, Any]:
    """Check one tasking file; return its definition as plain data (no line markers)."""
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise TaskingError(f"{name}{line}: not valid YAML ({exc})") from exc
    if not isinstance(doc, dict):
        raise TaskingError(f"{name} line 1: a tasking file must be a mapping")

    def fail(node: Any, message: str) -> TaskingError:
        line = node.get(LINE, 1) if isinstance(node, dict) else 1
        return TaskingError(f"{name} line {line}: {message}")

    def need(node: Any, key: str, what: str) -> Any:
        if not isinstance(node, dict) or node.get(key) in (None, ""):
            raise fail(node, f"{what}: missing '{key}'")
        return node[key]

    def a_date(node: dict[str, Any], key: str, what: str, required: bool = True) -> date | None:
        value = node.get(key)
        if value in (None, "") and not required:
            return None
        if not isinstance(value, date):
            raise fail(node, f"{what}: '{key}' must be a date written YYYY-MM-DD")
        return value

    def a_count(node: dict[str, Any], key: str, what: str) -> int:
        value = node.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise fail(node, f"{what}: '{key}' must be a whole number of at least 0")
        return value

    period = str(need(doc, "period", "tasking"))
    try:
        if Period.parse(period).kind != "fy":
            raise PeriodError(period)
    except PeriodError as exc:
        raise fail(doc, f"period {period!r} must be a financial year, e.g. FY2022-23") from exc

    measures: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for m in need(doc, "measures", "tasking"):
        code = str(need(m, "code", "measure"))
        if code in seen:
            raise fail(m, f"duplicate measure code {code!r} (first on line {seen[code]})")
        seen[code] = m.get(LINE, 1)
        applies_to = str(need(m, "applies_to", f"measure {code}"))
        if applies_to not in APPLIES_TO:
            raise fail(m, f"measure {code}: applies_to must be one of {', '.join(APPLIES_TO)}")
        metric = str(m.get("metric") or "")
        threshold = a_count(m, "threshold", f"measure {code}") if "threshold" in m else None
        if bool(metric) != (threshold is not None):
            raise fail(m, f"measure {code}: a metric and a threshold go together")
        if metric:
            from msoic.catalogue.loader import get_catalogue

            if metric not in get_catalogue().metrics:
                raise fail(m, f"measure {code}: unknown metric {metric!r}")
        measures.append(
            {
                "code": code,
                "title": str(need(m, "title", f"measure {code}")).strip(),
                "success_criteria": str(need(m, "success_criteria", f"measure {code}")).strip(),
                "applies_to": applies_to,
                "due_on": a_date(m, "due_on", f"measure {code}", required=False),
                "metric": metric,
                "threshold": threshold,
                "threshold_basis": str(m.get("threshold_basis") or "").strip(),
                "introduced_in": int(m.get("introduced_in") or 1),
            }
        )

    versions: list[dict[str, Any]] = []
    for n, v in enumerate(need(doc, "versions", "tasking"), start=1):
        number = v.get("number")
        if number != n:
            raise fail(v, f"versions are numbered 1, 2, 3… in order: expected {n}")
        kind = str(need(v, "kind", f"version {n}"))
        if kind != ("issued" if n == 1 else "revised"):
            raise fail(v, f"version {n}: the first version is 'issued', later ones 'revised'")
        changes = []
        for c in v.get("thresholds") or []:
            code = str(need(c, "measure", f"version {n} threshold change"))
            if code not in seen:
                raise fail(c, f"version {n}: threshold change for unknown measure {code!r}")
            if not str(c.get("reason") or "").strip():
                raise fail(
                    c,
                    f"version {n}: the threshold change for {code} needs a reason (why it changed)",
                )
            changes.append(
                {
                    "measure": code,
                    "value": a_count(c, "value", f"version {n} threshold change for {code}"),
                    "reason": str(c["reason"]).strip(),
                }
            )
        versions.append(
            {
                "number": n,
                "kind": kind,
                "issued_on": a_date(v, "issued_on", f"version {n}"),
                "summary": str(v.get("summary") or "").strip(),
                "thresholds": changes,
            }
        )
    for m in measures:
        if not 1 <= m["introduced_in"] <= len(versions):
            raise TaskingError(f"{name}: measure {m['code']}: introduced_in names no version")
    return {
        "tasking": str(need(doc, "tasking", "tasking")),
        "title": str(need(doc, "title", "tasking")),
        "issued_by": str(doc.get("issued_by") or "National Crime Agency"),
        "period": period,
        "measures": measures,
        "versions": versions,
    }


def _digest(definition: dict[str, Any], version: dict[str, Any]) -> str:
    """A version's own part of the file: its entry and the measures it introduced."""
    part = {
        "tasking": [definition["tasking"], definition["title"], definition["period"]],
        "version": version,
        "measures": [m for m in definition["measures"] if m["introduced_in"] == version["number"]],
    }
    return hashlib.sha256(json.dumps(_plain(part), sort_keys=True).encode()).hexdigest()


def load_tasking_text(name: str, text: str, actor: Any = "loader") -> tuple[Any, int]:
    """Store the versions of the tasking in ``text`` not yet loaded. Returns (tasking, new)."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from msoic.audit.log import record
    from msoic.audit.models import AuditAction
    from msoic.orgunits.models import OrgUnit
    from msoic.tasking.actions import do_revise_threshold
    from msoic.tasking.models import Measure, MeasureProgress, Tasking, TaskingVersion

    definition = parse_tasking(name, text)
    created = 0
    with transaction.atomic():
        tasking, _ = Tasking.objects.get_or_create(
            code=definition["tasking"],
            defaults={
                "title": definition["title"],
                "issued_by": definition["issued_by"],
                "period_code": definition["period"],
            },
        )
        if tasking.period_code != definition["period"]:
            raise TaskingError(
                f"{name}: {tasking.code} is already loaded for {tasking.period_code}"
            )
        loaded = {v.number: v for v in tasking.versions.all()}
        for version in definition["versions"]:
            digest = _digest(definition, version)
            existing = loaded.get(version["number"])
            if existing is not None:
                if existing.sha256 != digest:
                    raise TaskingError(
                        f"{name}: version {version['number']} of {tasking.code} is already loaded "
                        "with different content; add a new revised version instead"
                    )
                continue
            stored = TaskingVersion.objects.create(
                tasking=tasking,
                number=version["number"],
                kind=version["kind"],
                issued_on=version["issued_on"],
                summary=version["summary"],
                file_name=name,
                sha256=digest,
            )
            created += 1
            fresh = [m for m in definition["measures"] if m["introduced_in"] == version["number"]]
            for m in fresh:
                measure = Measure.objects.create(
                    tasking=tasking,
                    introduced_in=stored,
                    position=definition["measures"].index(m) + 1,
                    code=m["code"],
                    title=m["title"],
                    success_criteria=m["success_criteria"],
                    applies_to=m["applies_to"],
                    due_on=m["due_on"],
                    metric=m["metric"],
                    threshold=m["threshold"],
                    initial_threshold=m["threshold"],
                    threshold_basis=m["threshold_basis"],
                )
                units = OrgUnit.objects.filter(kind__in=measure.orgunit_kinds())
                MeasureProgress.objects.bulk_create(
                    MeasureProgress(measure=measure, orgunit=u) for u in units
                )
            for change in version["thresholds"]:
                try:
                    do_revise_threshold(
                        Measure.objects.get(tasking=tasking, code=change["measure"]),
                        actor=actor,
                        new_value=change["value"],
                        reason=change["reason"],
                        effective_from=version["issued_on"],
                        version=stored,
                    )
                except ValidationError as exc:
                    raise TaskingError(
                        f"{name}: version {version['number']}, threshold change for "
                        f"{change['measure']}: {' '.join(exc.messages)}"
                    ) from exc
            record(
                actor=actor,
                action=AuditAction.ADMIN,
                obj=stored,
                detail={"step": "load_tasking", "file": name, "version": version["number"]},
            )
    return tasking, created


def load_tasking_file(path: Path, actor: Any = "loader") -> tuple[Any, int]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaskingError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    return load_tasking_text(path.name, text, actor=actor)
