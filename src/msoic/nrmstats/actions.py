"""Loading a release of the Home Office's NRM statistics: the file is read
(:mod:`msoic.nrmstats.importer`), its figures go through the one collection pipeline as the
national org unit's return of ``nrm-national-quarterly`` (validated, versioned, audited as
every return is), and the release (publication, release date, address, file) is recorded
with its own audit row. All or nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.catalogue.loader import get_catalogue
from msoic.collection.pipeline import Outcome, import_rows
from msoic.collection.validation import Context, Problem
from msoic.metrics.sources import covered_by_code
from msoic.nrmstats import access
from msoic.nrmstats.importer import NrmFileError, read_release, to_rows
from msoic.nrmstats.models import Release
from msoic.nrmstats.source import national

MAX_TEXT = {"publication": 300, "url": 500}


class NotAllowed(PermissionError):
    pass


@dataclass
class LoadResult:
    """What a load did: the release recorded (None when nothing was stored) and the problems,
    each with the file's sheet, row and column."""

    filename: str
    release: Release | None = None
    outcome: Outcome | None = None
    problems: list[Problem] = field(default_factory=list)
    quarters: int = 0

    @property
    def ok(self) -> bool:
        return self.release is not None

    @property
    def changed(self) -> int:
        if self.outcome is None:
            return 0
        return sum(1 for s in self.outcome.submissions if s.state in {"new", "corrected"})

    def lines(self) -> list[str]:
        if self.ok:
            assert self.release is not None
            return [
                f"{self.filename}: loaded {self.quarters} quarters "
                f"({self.changed} new or revised) as {self.release}"
            ]
        return [f"{self.filename}: NOT LOADED"] + [
            f"  error: {self.filename}: {p.where() or 'the file'}: {p.message}"
            for p in self.problems
        ]


def _problem(exc: NrmFileError) -> Problem:
    return Problem(
        "error", "nrm_file", exc.message, sheet=exc.sheet, row=exc.row, column=exc.column
    )


def _context(actor: Any) -> Context:
    """The pipeline's context for the unit's own return: the national org unit is the one
    org unit rows may name, writable by the national team only."""
    unit = national()
    writable = {unit.code} if access.can_load_releases(actor) else set()
    return Context(
        catalogue=get_catalogue(),
        forces={unit.code: unit},
        writable=writable,
        register=covered_by_code(),
    )


def do_load_release(
    *,
    actor: Any,
    filename: str,
    data: bytes,
    publication: str,
    released_on: date,
    url: str = "",
) -> LoadResult:
    """Read ``data`` and store its figures and the release. Never raises for bad input: the
    problems are in the result (and a refused file is audited by the pipeline)."""
    if actor is not None and not access.can_load_releases(actor):
        raise NotAllowed("only the national team loads NRM statistics")
    result = LoadResult(filename=filename)
    publication, url = publication.strip(), url.strip()
    if not publication:
        result.problems.append(Problem("error", "release", "give the publication's name"))
    for name, value in (("publication", publication), ("url", url)):
        if len(value) > MAX_TEXT[name]:
            result.problems.append(
                Problem("error", "release", f"the {name} is longer than {MAX_TEXT[name]} letters")
            )
    try:
        release = read_release(filename, data)
    except NrmFileError as exc:
        found = getattr(exc, "problems", [exc])
        result.problems += [_problem(p) for p in found]
        record(
            actor=actor,
            action=AuditAction.REJECT,
            object_type="nrmstats.release",
            object_id=filename[:64],
            detail={
                "step": "nrmstats.load_release",
                "errors": len(found),
                "first": _problem(found[0]).as_dict(filename),
            },
        )
        return result
    if result.problems:
        return result
    unit = national()
    parsed = to_rows(release, unit.code)
    with transaction.atomic():
        outcome = import_rows(
            parsed, filename=filename, actor=actor, data=data, context=_context(actor)
        )
        result.outcome = outcome
        if not outcome.ok:
            result.problems = list(outcome.problems)
            return result
        quarters = release.quarters
        result.quarters = len(quarters)
        result.release = Release.objects.create(
            publication=publication,
            released_on=released_on,
            url=url,
            filename=filename[:255],
            file_sha256=hashlib.sha256(data).hexdigest(),
            first_quarter=quarters[0],
            last_quarter=quarters[-1],
            quarters=len(quarters),
            values=len(parsed.rows),
            changed=result.changed,
            loaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record(
            actor=actor,
            action=AuditAction.COLLECTION,
            obj=result.release,
            orgunit=unit,
            detail={
                "step": "nrmstats.load_release",
                "file": filename,
                "note": publication,
                "published_on": released_on.isoformat(),
                "rows": len(parsed.rows),
                "items": len(quarters),
                "changed": result.changed,
            },
        )
    return result
