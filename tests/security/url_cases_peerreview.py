"""Access cases for peer review URLs (msoic.peerreview), for every persona.

Kent, Essex and Cleveland have published reviews; Surrey's is a draft only the unit sees."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from msoic.peerreview.actions import do_publish_good_practice
from msoic.peerreview.models import PeerReview
from tests.peerreview.conftest import make_review
from tests.security.test_url_access import PERSONAS, SEES, Case, World

REVIEWED = ("kent", "essex", "cleveland", "surrey")
USERS = {"kent", "essex", "cleveland", "eastern", "national"}


def _setup(w: World) -> dict[str, PeerReview]:
    cached = getattr(w, "peerreview", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    unit = w.users["national"]
    found = {f: make_review(f, unit, publish=f != "surrey") for f in REVIEWED}
    w.peerreview = found  # type: ignore[attr-defined]
    return found


def _sees(p: str, force: str) -> bool:
    return p == "national" or (force != "surrey" and force in SEES[p])


def _read(p: str, force: str) -> set[int]:
    return {200} if _sees(p, force) else {404}


def _unit_only(p: str, force: str, ok: set[int]) -> set[int]:
    """A change only the unit makes: others get 403 where they see the review, else 404."""
    if p == "national":
        return ok
    return {403} if _sees(p, force) else {404}


def _per_review(suffix: str, expect: Callable[[str, str], set[int]], method: str = "get"):
    def build(w: World) -> list[Case]:
        reviews = _setup(w)
        return [
            Case(p, f"/peer-reviews/{reviews[f].pk}/{suffix}", expect(p, f), method=method)
            for p in PERSONAS
            for f in REVIEWED
        ]

    return build


def _per_rec(suffix: str, expect: Callable[[str, str], set[int]], method: str = "get"):
    def build(w: World) -> list[Case]:
        reviews = _setup(w)
        cases = []
        for p in PERSONAS:
            for f in REVIEWED:
                rec = reviews[f].recommendations.first()
                assert rec is not None
                url = f"/peer-reviews/recommendations/{rec.pk}/{suffix}"
                cases.append(Case(p, url, expect(p, f), method=method))
        return cases

    return build


def _progress(p: str, f: str) -> set[int]:
    """The owning force and the unit record progress, once the report is published."""
    if p == "national":
        return {403} if f == "surrey" else {302}
    if not _sees(p, f):
        return {404}
    return {302} if p == f else {403}


def _group(p: str, f: str) -> set[int]:
    if p == "national":
        return {302}
    if not _sees(p, f):
        return {404}
    return {302} if p == f else {403}


def _good_practice(action: str, shared: bool) -> Callable[[World], list[Case]]:
    def build(w: World) -> list[Case]:
        reviews = _setup(w)
        item = reviews["kent"].good_practice.get()
        if shared:
            do_publish_good_practice(
                item, actor=w.users["national"], show_source=False, on=date(2024, 2, 1)
            )
        denied = {403} if shared else {404}
        return [
            Case(
                p,
                f"/peer-reviews/good-practice/{item.pk}/{action}/",
                {302} if p == "national" else (denied if p in USERS else {404}),
                method="post",
            )
            for p in PERSONAS
        ]

    return build


def _edit(p: str, f: str) -> set[int]:
    return _unit_only(p, f, {200} if f == "surrey" else {302})


def _themes(suffix: str, method: str, data: dict[str, str] | None = None):
    """The themes are the unit's to keep: everyone else is refused (403), whichever theme."""

    def build(w: World) -> list[Case]:
        return [
            Case(
                p,
                f"/peer-reviews/themes/{suffix}",
                ({302} if data else {200}) if p == "national" else {403},
                method=method,
                data=data,
            )
            for p in PERSONAS
        ]

    return build


CASES: dict[str, Callable[[World], list[Case]]] = {
    "peerreview-detail": _per_review("", _read),
    "peerreview-report": _per_review("report/", _read),
    "peerreview-report-pdf": _per_review("report.pdf", _read),
    "peerreview-plan-xlsx": _per_review("plan.xlsx", _read),
    "peerreview-edit": _per_review("edit/", _edit),
    "peerreview-publish": _per_review("publish/", lambda p, f: _unit_only(p, f, {302}), "post"),
    "peerreview-rec-add": _per_review(
        "recommendations/", lambda p, f: _unit_only(p, f, {302}), "post"
    ),
    "peerreview-good-add": _per_review(
        "good-practice/", lambda p, f: _unit_only(p, f, {302}), "post"
    ),
    "peerreview-group": _per_review("group/", _group, "post"),
    "peerreview-recommendation": _per_rec("", _read),
    "peerreview-rec-edit": _per_rec("edit/", lambda p, f: _unit_only(p, f, {302}), "post"),
    "peerreview-rec-plan": _per_rec("plan/", _progress, "post"),
    "peerreview-rec-progress": _per_rec("progress/", _progress, "post"),
    "peerreview-good-practice-publish": _good_practice("publish", shared=False),
    "peerreview-good-practice-withdraw": _good_practice("withdraw", shared=True),
    "peerreview-theme": _themes("training/", "get"),
}
