"""A published report in a real browser: a partner finds it under Reports and reads it, and
the standalone HTML output passes axe-core (WCAG 2.2 AA) as well, with no console error or
CSP violation on the product's page. (The whole annual report built from the demo passes
axe-core in tests/reports/test_annual_demo.py, from that module's one build.)"""

from __future__ import annotations

from typing import Any

import pytest

from msoic.reports import actions, render
from msoic.reports.models import ReportTemplate
from msoic.terminus.demo import build_terminus_demo
from tests.browser.helpers import axe_violations, check_page, log_in
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TEXT = """title: Project Terminus in 2023/24
# At a glance
+ [[terminus_lorry_stops]] lorry stops
+ [[terminus_cash_seized]] cash seized
+ [[terminus_drugs_value q=plus round=-6 label="Drugs seized"]] of drugs seized

# Activity
Forces made [[terminus_ga_visits]] general aviation visits and [[terminus_gm_visits]] maritime visits.

|: Land, air and sea
| Activity | In the year
| Lorry stops | [[terminus_lorry_stops]]
| General aviation visits | [[terminus_ga_visits]]

[[chart terminus_lorry_stops by=region title="Lorry stops by region, 2023/24"]]
"""


def test_a_partner_reads_the_published_report_and_its_html_passes_axe(
    live_server: Any, watched: Any, personas: dict[str, Any]
) -> None:
    national = personas["national"]
    build_terminus_demo(national)
    template = ReportTemplate.objects.create(name="terminus", title="Terminus")
    actions.do_save_template_version(template, TEXT, actor=national)
    edition = actions.do_approve_edition(
        actions.do_create_edition(template, "FY2023-24", actor=national), actor=national
    )
    edition = actions.do_publish_edition(edition, actor=national)

    page, url = watched.page, live_server.url
    log_in(page, url, personas["partner"].username, PERSONA_PASSWORD)
    page.get_by_role("link", name="Reports", exact=True).first.click()
    page.wait_for_url("**/reports/")
    page.get_by_role("link", name="Project Terminus in 2023/24").click()
    page.get_by_role("heading", name="Project Terminus in 2023/24", level=1).wait_for()
    tiles = page.locator(".report-tiles")
    for shown in ("3,007", "£46,400", "£3,000,000+"):
        assert tiles.get_by_text(shown, exact=True).count() == 1, shown
    assert page.locator(".report-chart svg").count() == 1
    check_page(page, url, watched)

    document = render.html_document(actions.published(edition))
    page.set_content(document)
    assert axe_violations(page, url) == []
