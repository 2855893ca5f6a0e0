"""Names of peer reviews and their recommendations in the audit log (msoic.audit.names),
linked to the review, for those the viewer may see. One query per kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.accounts.access import is_national
from msoic.audit.names import Named, namer
from msoic.peerreview import access as review_access
from msoic.peerreview.models import GoodPractice, TaskGroup, Theme

if TYPE_CHECKING:
    from msoic.accounts.models import User


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


@namer("peerreview.peerreview")
def name_reviews(viewer: User, ids: list[str]) -> dict[str, Named]:
    reviews = (
        review_access.peer_reviews_visible_to(viewer)
        .filter(pk__in=_ints(ids))
        .select_related("force")
    )
    return {str(r.pk): Named(str(r), reverse("peerreview-detail", args=[r.pk])) for r in reviews}


@namer("peerreview.recommendation")
def name_recommendations(viewer: User, ids: list[str]) -> dict[str, Named]:
    recs = (
        review_access.recommendations_visible_to(viewer)
        .filter(pk__in=_ints(ids))
        .select_related("review__force")
    )
    return {
        str(r.pk): Named(
            f"Recommendation {r} of the peer review of {r.review.force.name}",
            reverse("peerreview-detail", args=[r.review_id]),
        )
        for r in recs
    }


@namer("peerreview.goodpractice")
def name_good_practice(viewer: User, ids: list[str]) -> dict[str, Named]:
    items = GoodPractice.objects.filter(
        pk__in=_ints(ids), review__in=review_access.peer_reviews_visible_to(viewer)
    ).select_related("review__force")
    return {
        str(g.pk): Named(
            f"Good practice “{g.title}”, peer review of {g.review.force.name}",
            reverse("peerreview-detail", args=[g.review_id]),
        )
        for g in items
    }


@namer("peerreview.taskgroup")
def name_task_groups(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):  # the unit's national users, who alone read the log
        return {}
    groups = TaskGroup.objects.filter(pk__in=_ints(ids)).select_related("force")
    return {str(g.pk): Named(f"Task-and-finish group of {g.force.name}") for g in groups}


@namer("peerreview.theme")
def name_themes(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not review_access.can_manage_peer_reviews(viewer):  # the unit keeps the themes
        return {}
    themes = Theme.objects.filter(code__in=ids)
    return {
        t.code: Named(f"Peer review theme “{t.label}”", reverse("peerreview-theme", args=[t.code]))
        for t in themes
    }
