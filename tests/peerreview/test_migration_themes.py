"""The migration that made the peer review themes data: findings recorded under the fixed
code list keep their codes, now pointing at the seeded themes (and an unknown code becomes a
theme of its own rather than losing its findings)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("peerreview", "0001_initial")]
AFTER = [("peerreview", "0002_themes_as_data")]


def migrate(target: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_findings_keep_their_theme_codes_across_the_migration(transactional_db: Any) -> None:
    try:
        apps = migrate(BEFORE)
        kent = apps.get_model("orgunits", "OrgUnit").objects.get(code="kent")
        review = apps.get_model("peerreview", "PeerReview").objects.create(force=kent)
        Recommendation = apps.get_model("peerreview", "Recommendation")
        for number, theme in enumerate(("training", "leadership", "victims"), start=1):
            Recommendation.objects.create(review=review, number=number, theme=theme, text="x")
        apps.get_model("peerreview", "GoodPractice").objects.create(
            review=review, theme="intelligence", title="t", text="x"
        )

        apps = migrate(AFTER)
        Theme = apps.get_model("peerreview", "Theme")
        assert list(Theme.objects.order_by("position", "code").values_list("code", flat=True)) == [
            "leadership",
            "intelligence",
            "operational",
            "investigations",
            "training",
            "victims",  # a code the list never had keeps its findings, as a theme of its own
        ]
        recs = apps.get_model("peerreview", "Recommendation").objects.order_by("number")
        assert [(r.theme_id, r.theme.label) for r in recs] == [
            ("training", "Training and awareness"),
            ("leadership", "Leadership and governance"),
            ("victims", "victims"),
        ]
        good = apps.get_model("peerreview", "GoodPractice").objects.get()
        assert good.theme.label == "Intelligence collection and development"
    finally:
        migrate(AFTER)
