"""Peer review themes as data: the five the migration seeds (the codes the fixed list had,
findings pointing at them), the unit's pages to add, rename and retire one (audited), a
retired theme kept by its findings, and the number in use through the metric engine."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from msoic.audit.models import AuditEvent
from msoic.metrics import engine, sources
from msoic.orgunits.models import OrgUnit
from msoic.peerreview import actions
from msoic.peerreview.forms import GoodPracticeForm, RecommendationForm
from msoic.peerreview.models import Recommendation, Theme
from msoic.peerreview.source import PEER_REVIEW_SOURCE, THEMES
from tests.peerreview.conftest import make_review

pytestmark = pytest.mark.django_db
SEEDED = {
    "leadership": "Leadership and governance",
    "intelligence": "Intelligence collection and development",
    "operational": "Operational response",
    "investigations": "Investigations",
    "training": "Training and awareness",
}


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def themes_in(metric_period: str, code: str = "national") -> int | None:
    return engine.query(THEMES, OrgUnit.objects.get(code=code), metric_period).value


def test_the_migration_seeds_the_five_themes_with_the_codes_findings_use(
    personas: dict[str, Any],
) -> None:
    assert dict(Theme.objects.values_list("code", "label")) == SEEDED
    assert list(Theme.objects.values_list("code", flat=True)) == list(SEEDED)  # page order
    review = make_review("kent", personas["national"], recs=5, good=1)
    assert sorted(review.recommendations.values_list("theme", flat=True)) == sorted(SEEDED)
    assert review.good_practice.get().theme.label == "Leadership and governance"


def test_the_themes_in_use_are_the_nations_figure_through_the_engine(
    personas: dict[str, Any],
) -> None:
    assert sources.source_for(THEMES) is PEER_REVIEW_SOURCE
    assert themes_in("FY2023-24") == 5
    assert themes_in("FY2023-24", "kent") == 0
    assert themes_in("FY2023-24", "eastern") == 0
    unit = personas["national"]
    actions.do_add_theme(
        actor=unit, code="victims", label="Victim care", introduced_on=date(2024, 4, 1)
    )
    training = Theme.objects.get(code="training")
    actions.do_edit_theme(
        training, actor=unit, label=training.label, position=5, retired_on=date(2024, 1, 1)
    )
    assert themes_in("FY2022-23") == 5  # as at 31 March 2023
    assert themes_in("FY2023-24") == 4  # training retired in January 2024
    assert themes_in("FY2024-25") == 5  # victim care from April 2024
    assert themes_in("2023-12") == 5


def test_the_unit_adds_renames_and_retires_a_theme_on_the_web_audited(
    personas: dict[str, Any],
) -> None:
    c = client_for(personas["national"])
    assert "Operational response" in c.get("/peer-reviews/themes/").content.decode()
    response = c.post(
        "/peer-reviews/themes/",
        {"code": "victims", "label": "Victim care", "position": "6", "introduced_on": ""},
    )
    assert response.status_code == 302
    theme = Theme.objects.get(code="victims")
    assert (theme.label, theme.position, theme.introduced_on) == ("Victim care", 6, None)
    added = AuditEvent.objects.get(detail__step="peerreview.add_theme")
    assert added.object_id == "victims" and added.detail["created"] is True

    response = c.post(
        "/peer-reviews/themes/victims/",
        {"label": "Victim and survivor care", "position": "6", "retired_on": "2025-01-01"},
    )
    assert response.status_code == 302
    edited = AuditEvent.objects.get(detail__step="peerreview.edit_theme")
    assert edited.detail["changed"] == {
        "label": "Victim and survivor care",
        "retired_on": "2025-01-01",
    }
    assert edited.detail["before"] == {"label": "Victim care", "retired_on": None}
    # Saving it unchanged writes nothing.
    c.post(
        "/peer-reviews/themes/victims/",
        {"label": "Victim and survivor care", "position": "6", "retired_on": "2025-01-01"},
    )
    assert AuditEvent.objects.filter(detail__step="peerreview.edit_theme").count() == 1
    assert c.get("/peer-reviews/themes/nothing/").status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "training", "label": "Training again"}, "already a theme with the code"),
        ({"code": "new", "label": "investigations"}, "already a theme called"),
        ({"code": "new", "label": "  "}, "needs a name"),
        ({"code": "no spaces", "label": "X"}, "letters, digits"),
        (
            {
                "code": "new",
                "label": "X",
                "introduced_on": date(2024, 4, 1),
                "retired_on": date(2024, 4, 1),
            },
            "retired after it was introduced",
        ),
    ],
)
def test_a_bad_theme_is_refused_and_nothing_is_written(
    personas: dict[str, Any], fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        actions.do_add_theme(actor=personas["national"], **fields)
    assert Theme.objects.count() == 5
    assert not AuditEvent.objects.filter(detail__step="peerreview.add_theme").exists()


def test_the_themes_pages_are_the_units_only(personas: dict[str, Any]) -> None:
    for persona, user in personas.items():
        for url in ("/peer-reviews/themes/", "/peer-reviews/themes/training/"):
            status = client_for(user).get(url).status_code
            assert status == (200 if persona == "national" else 403), (persona, url)
        posted = client_for(user).post("/peer-reviews/themes/", {"code": "x", "label": "X"})
        assert posted.status_code == (302 if persona == "national" else 403), persona
    with pytest.raises(PermissionDenied):
        actions.do_add_theme(actor=personas["kent"], code="y", label="Y")


def test_a_retired_theme_is_not_offered_but_its_findings_keep_it(
    personas: dict[str, Any],
) -> None:
    unit = personas["national"]
    review = make_review("kent", unit, publish=False, recs=5, good=0)
    training = Theme.objects.get(code="training")
    actions.do_edit_theme(training, actor=unit, label=training.label, retired_on=date(2020, 1, 1))
    offered = dict(RecommendationForm().fields["theme"].choices)  # type: ignore[attr-defined]
    assert "training" not in offered and "leadership" in offered
    assert "training" not in dict(GoodPracticeForm().fields["theme"].choices)  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="Unknown theme"):
        actions.do_add_recommendation(review, actor=unit, theme="training", text="x")
    rec = Recommendation.objects.get(review=review, theme="training")
    # An edit may keep the finding's own theme, and the pages still show it.
    actions.do_edit_recommendation(rec, actor=unit, theme="training", text="y", priority="low")
    page = client_for(unit).get(f"/peer-reviews/recommendations/{rec.pk}/").content.decode()
    assert "Training and awareness" in page
    report = client_for(unit).get(f"/peer-reviews/{review.pk}/").content.decode()
    assert "Training and awareness" in report
    with pytest.raises(Exception, match="protected"):
        training.delete()  # findings keep their theme: it cannot be deleted under them
