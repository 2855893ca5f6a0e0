"""Input at the web boundary of operations."""

from __future__ import annotations

from typing import Any

from django import forms

from msoic.catalogue.loader import Catalogue
from msoic.operations.actions import OperationDetails
from msoic.operations.catalogue import activity_choices
from msoic.orgunits.models import OrgUnit
from msoic.web.period_picker import PeriodField

DATE = forms.DateInput(
    format="%Y-%m-%d", attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
)
TEXT = forms.TextInput(attrs={"class": "govuk-input"})
SHORT = forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"})
AREA = forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3})
SELECT = forms.Select(attrs={"class": "govuk-select"})
BOXES = forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes__input"})


class OperationForm(forms.Form):
    series = forms.CharField(max_length=32, widget=SHORT, help_text="e.g. AIDANT")
    number = forms.IntegerField(
        min_value=1, widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-5"})
    )
    theme = forms.CharField(max_length=200, widget=TEXT)
    exploitation_type = forms.ChoiceField(required=False, widget=SELECT)
    sector = forms.CharField(max_length=100, required=False, widget=TEXT)
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE)
    lead_agency = forms.CharField(max_length=200, widget=TEXT)
    partner_agencies = forms.CharField(required=False, widget=AREA, help_text="One agency a line")
    forces = forms.MultipleChoiceField(widget=BOXES, label="Participating forces")
    activity_metrics = forms.MultipleChoiceField(
        required=False, widget=BOXES, label="Activity to collect"
    )

    def __init__(self, *args: Any, catalogue: Catalogue, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = catalogue.breakdowns["exploitation_type"].options
        self.fields["exploitation_type"].choices = [("", "None (a sector or route)")] + list(  # type: ignore[attr-defined]
            types.items()
        )
        self.fields["forces"].choices = [  # type: ignore[attr-defined]
            (f.code, f.name) for f in OrgUnit.objects.forces().order_by("name")
        ]
        self.fields["activity_metrics"].choices = activity_choices(catalogue)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The operation cannot end before it starts")
        return data

    def details(self) -> OperationDetails:
        d = self.cleaned_data
        return OperationDetails(
            series=d["series"],
            number=d["number"],
            theme=d["theme"],
            start_date=d["start_date"],
            end_date=d["end_date"],
            lead_agency=d["lead_agency"],
            forces=list(d["forces"]),
            exploitation_type=d.get("exploitation_type") or "",
            sector=d.get("sector") or "",
            partner_agencies=[p for p in (d.get("partner_agencies") or "").splitlines()],
            activity_metrics=list(d.get("activity_metrics") or []),
        )


def initial_from(details: OperationDetails) -> dict[str, Any]:
    return {
        "series": details.series,
        "number": details.number,
        "theme": details.theme,
        "exploitation_type": details.exploitation_type,
        "sector": details.sector,
        "start_date": details.start_date,
        "end_date": details.end_date,
        "lead_agency": details.lead_agency,
        "partner_agencies": "\n".join(details.partner_agencies),
        "forces": details.forces,
        "activity_metrics": details.activity_metrics,
    }


class YearForm(forms.Form):
    """The overview's financial year, from the one period picker (the years offered are set
    by the view: those with operations)."""

    year = PeriodField(kinds=("fy",), label="Financial year")
