"""The demo's Terminus returns, loaded through the pipeline, add up exactly to the annual
report's headlines; the Terminus page shows them."""

from __future__ import annotations

import pytest

from msoic.collection.models import Submission
from msoic.terminus.demo import build_terminus_demo, load_config, plan_values
from tests.conftest import PERSONA_PASSWORD

REPORT = {
    "terminus_lorry_stops": 3007,
    "terminus_ga_visits": 419,
    "terminus_gm_visits": 355,
    "terminus_debriefs": 275,
    "terminus_cash_seized": 46_400_00,
    "terminus_fines": 152_000_00,
    "terminus_drugs_value": 3_012_450_00,
}


@pytest.mark.django_db
def test_targets_file_holds_the_report_headlines():
    config = load_config()
    for code, value in REPORT.items():
        assert config.targets[code] == value
    assert config.targets["terminus_drugs_value"] > 3_000_000_00  # "over £3,000,000"


@pytest.mark.django_db
def test_planned_values_add_up_exactly_and_money_comes_in_steps():
    config = load_config()
    forces = [f for f in config.weights] + ["derbyshire"]
    values = plan_values(config, forces)
    for code, total in config.targets.items():
        assert sum(v for (f, q, c), v in values.items() if c == code) == total
    assert all(v % 5000 == 0 for (f, q, c), v in values.items() if c == "terminus_fines")
    assert all(v == 0 for (f, q, c), v in values.items() if f == "derbyshire")


@pytest.mark.django_db
def test_demo_returns_reproduce_the_report_and_the_page_shows_them(client, national_analyst):
    report = build_terminus_demo(national_analyst)
    assert report.ok, report.lines()
    assert {code: got for code, (_, got, _) in report.totals.items() if code in REPORT} == REPORT
    assert Submission.objects.filter(dataset="terminus-quarterly").count() == 43 * 4
    again = build_terminus_demo(national_analyst)
    assert {status for _, status in again.files} == {"unchanged"}

    client.login(username=national_analyst.username, password=PERSONA_PASSWORD)
    html = client.get("/operations/terminus/", {"period": "FY2023-24"}).content.decode()
    for shown in ("3,007", "419", "355", "275", "£46,400", "£152,000", "£3,012,450"):
        assert f">{shown}<" in html, shown
    assert "Returns missing" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "says"),
    [
        (("terminus_fines", '"152,000.00"', '"152,010.00"'), "not a whole number of steps"),
        (("terminus_cash_seized", '"46,400.00"', '"46,400.001"'), "fraction of a penny"),
        (("kent", "[30, 8, 12]", "[30, 8]"), r"forces.kent: give \[land, air, sea\] weights"),
        (("year", "FY2023-24", "2023"), "must be a financial year"),
    ],
)
def test_a_bad_demo_file_is_refused_with_the_reason(tmp_path, change, says):
    from msoic.metrics.money import MoneyError
    from msoic.terminus.demo import CONFIG, DemoConfigError

    _, old, new = change
    text = CONFIG.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "demo.yaml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises((DemoConfigError, MoneyError), match=says):
        load_config(bad)
