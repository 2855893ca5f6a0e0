"""The modern slavery and organised immigration crime dashboards, and their downloads.

A view reads the org unit, month and measure from the query string, asks
:func:`~msoic.dashboards.scope.resolve_scope` what the user may see (403 for an org unit
that is not theirs), and renders blocks built by :class:`~msoic.dashboards.blocks.DashboardData`
from the metric engine. Downloads rebuild one block for the same scope.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from msoic.catalogue.loader import Catalogue, get_catalogue
from msoic.dashboards import partner
from msoic.dashboards.blocks import (
    DASHBOARDS,
    SECTIONS,
    TREND_MONTHS,
    DashboardData,
    DashboardDef,
    Section,
)
from msoic.dashboards.scope import DashboardScope, MonthRange, month_range, resolve_scope
from msoic.disclosure.control import controlled
from msoic.metrics.periods import (
    PICKER_KINDS,
    Period,
    add_months,
    describe,
    format_month,
    periods_within,
)
from msoic.web.exports import csv_response, xlsx_response
from msoic.web.period_picker import PeriodField


class PickerForm(forms.Form):
    """The period picker: validated at the boundary; the org unit is checked by the access layer."""

    period = PeriodField(
        label="Period",
        help_text="A month shows it beside the year to it; a quarter or a year shows every "
        "figure for that period.",
    )
    measure = forms.ChoiceField(required=False)

    def __init__(self, data: Any, *, months: MonthRange, measures: list[tuple[str, str]]) -> None:
        super().__init__(data)
        period = self.fields["period"]
        measure = self.fields["measure"]
        assert isinstance(period, PeriodField) and isinstance(measure, forms.ChoiceField)
        if months.latest is not None:
            period.set_periods(
                p
                for kind in PICKER_KINDS
                for p in periods_within(kind, months.first, months.latest)
            )
            period.initial = format_month(months.latest)  # the latest complete month
        measure.choices = measures
        measure.error_messages["invalid_choice"] = "Select a measure from the list"


def _picker(
    request: HttpRequest, definition: DashboardDef, cat: Catalogue, months: MonthRange
) -> tuple[PickerForm, Period | None, str]:
    measures = [(h.metric, cat.metric(h.metric).short_label) for h in definition.headline]
    form = PickerForm(request.GET, months=months, measures=measures)
    picked = Period.month(months.latest) if months.latest is not None else None
    measure = measures[0][0]
    if form.is_valid():
        if form.cleaned_data["period"]:
            picked = form.cleaned_data["period"]
        measure = form.cleaned_data["measure"] or measure
    return form, picked, measure


def _dashboard(request: HttpRequest, code: str) -> HttpResponse:
    definition = DASHBOARDS[code]
    scope = resolve_scope(request.user, request.GET.get("orgunit"))  # type: ignore[arg-type]
    cat = get_catalogue()
    months = month_range(definition.dataset, cat)
    form, picked, measure = _picker(request, definition, cat, months)
    month = picked.end if picked is not None else None
    context: dict[str, Any] = {
        "dashboard": definition,
        "scope": scope,
        "form": form,
        "month": month,
        "picked": picked,
        "picked_label": describe(picked) if picked is not None else "",
        "measure": measure,
        "months": months.choices(),
        "measures": [(h.metric, cat.metric(h.metric).short_label) for h in definition.headline],
        "query": _query_string(scope, picked, measure),
        "other": "oic" if code == "ms" else "ms",
        # The other dashboard has its own measures: the link carries the area and month only.
        "other_query": _query_string(scope, picked, None),
    }
    status = 200
    if form.errors:
        status = 400
    elif picked is not None and month is not None:
        data = DashboardData(definition, scope, month, measure, cat, period=picked)
        headline = data.headline()
        if not controlled(request.user):
            sections = data.sections()
        else:
            # Figures of people by month are not for partners: by financial year instead.
            headline = partner.shown_headline(headline)
            sections = _partner_sections(definition, cat, scope, data)
            context["measures"] = [
                (code, label)
                for code, label in context["measures"]
                if code not in partner.people_metrics(definition, cat)
            ]
        context.update(
            {
                "headline": headline,
                "headline_block": data.headline_block(headline),
                "sections": sections,
                "trend_start": data.start,
                "trend_start_clipped": data.start > add_months(month, -(TREND_MONTHS - 1)),
            }
        )
    return render(request, "dashboards/dashboard.html", context, status=status)


def _partner_sections(
    definition: DashboardDef, cat: Catalogue, scope: DashboardScope, data: DashboardData
) -> list[Section]:
    """A partner's sections: the month-based blocks of activity, then figures of people by
    financial year through disclosure control."""
    blocks = [
        data.build(b)
        for b in data.block_ids()
        if b != "headline" and partner.shown_block(b, definition, cat)
    ]
    out = []
    for key, title in SECTIONS:
        members = [b for b in blocks if b.section == key]
        if members:
            out.append(Section(key, title, members))
    people = partner.section(definition, cat, scope.orgunit, data.month)
    if people is not None:
        out.append(people)
    return out


def _query_string(scope: DashboardScope, picked: Period | None, measure: str | None) -> str:
    from urllib.parse import urlencode

    params = {"orgunit": scope.orgunit.code}
    if measure is not None:
        params["measure"] = measure
    if picked is not None:
        params["period"] = picked.code
    return urlencode(params)


@login_required
@require_GET
def ms_dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, "ms")


@login_required
@require_GET
def oic_dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, "oic")


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of : \\ / ? * [ ]."""
    return re.sub(r"[:\\/?*\[\]]", " ", title).replace("  ", " ").strip()[:31]


@login_required
@require_GET
def download(request: HttpRequest, dashboard: str, block: str, fmt: str) -> HttpResponse:
    """One block's figures as CSV or XLSX, for the same org unit, month and measure as its page."""
    definition = DASHBOARDS.get(dashboard)
    if definition is None:
        raise Http404("No such dashboard")
    scope = resolve_scope(request.user, request.GET.get("orgunit"))  # type: ignore[arg-type]
    cat = get_catalogue()
    months = month_range(definition.dataset, cat)
    form, picked, measure = _picker(request, definition, cat, months)
    if form.errors or picked is None:
        raise Http404("No figures for that period")
    month = picked.end
    data = DashboardData(definition, scope, month, measure, cat, period=picked)
    secret = controlled(request.user)
    if secret and block in partner.block_ids(definition, cat):
        built = partner.build(block, definition, cat, scope.orgunit, month)
    elif block not in data.block_ids():
        if block in data.restricted_block_ids():
            raise PermissionDenied("You may not see this breakdown")
        raise Http404("No such table")
    elif secret and not partner.shown_block(block, definition, cat):
        raise PermissionDenied(
            "Figures of people are given to partners by financial year only: see the "
            "'Figures of people' tables"
        )
    else:
        built = data.build(block)
        if secret and block == "headline":
            built = data.headline_block(partner.shown_headline(data.headline()))
    stem = f"msoic-{dashboard}-{block}-{scope.orgunit.code}-{picked.code}"
    notes = [
        f"MSOIC Insight: {definition.title}, {built.title}",
        f"Area: {scope.orgunit.name}. "
        + (
            f"Month picked: {describe(picked)}."
            if picked.kind == "month"
            else f"Period picked: {describe(picked)}."
        ),
        built.description,
        *built.notes,
    ]
    if fmt == "xlsx":
        return xlsx_response(
            f"{stem}.xlsx",
            sheet_title(built.title),
            built.export_header(),
            built.export_rows(),
            notes=notes,
        )
    return csv_response(f"{stem}.csv", built.export_header(), built.export_rows())
