"""Access cases for the national NRM statistics page (msoic.nrmstats), for every persona.

The page and the load form are the national team's: every other role gets 403, for a look
and for an upload (nothing stored). The national team loads a release (302)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.nrmstats.conftest import csv_of, responder_rows
from tests.security.test_url_access import PERSONAS, Case, World


def _upload() -> dict[str, Any]:
    rows = responder_rows({"Jan to Mar 2023": [1500, 1300, 1250, 270, 190]})
    return {
        "publication": "NRM statistics, Quarter 1 2023",
        "released_on": "2023-05-04",
        "url": "",
        "release_file": SimpleUploadedFile("q1-2023.csv", csv_of(rows), "text/csv"),
    }


def page(w: World) -> list[Case]:
    cases = [Case(p, "/nrm-statistics/", {200} if p == "national" else {403}) for p in PERSONAS]
    cases += [
        Case(
            p,
            "/nrm-statistics/",
            {302} if p == "national" else {403},
            method="post",
            data=_upload(),
        )
        for p in PERSONAS
    ]
    return cases


CASES: dict[str, Callable[[World], list[Case]]] = {"nrm-statistics": page}
