"""The Terminus page's filters: a period (financial year or quarter) and an org unit."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from msoic.metrics.periods import Period, PeriodError


class TerminusFilterForm(forms.Form):
    period = forms.CharField(
        label="Period",
        help_text="A financial year, e.g. FY2023-24, or a quarter, e.g. FY2023-24-Q1",
        max_length=16,
        required=False,
    )
    orgunit = forms.ChoiceField(label="Area", required=False)

    def __init__(self, *args: Any, orgunits: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["orgunit"]).choices = orgunits

    def clean_period(self) -> Period | None:
        text = (self.cleaned_data.get("period") or "").strip().upper()
        if not text:
            return None
        try:
            period = Period.parse(text)
        except PeriodError as exc:
            raise forms.ValidationError(
                "Enter a financial year like FY2023-24 or a quarter like FY2023-24-Q1"
            ) from exc
        if period.kind not in ("fy", "quarter"):
            raise forms.ValidationError(
                "Terminus is returned quarterly: enter a financial year like FY2023-24 or a "
                "quarter like FY2023-24-Q1"
            )
        return period
