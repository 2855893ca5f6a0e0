"""The Terminus page's filters: a period (financial year or quarter, from the one period
picker) and an org unit."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from msoic.metrics.periods import Period
from msoic.web.period_picker import PeriodField


class TerminusFilterForm(forms.Form):
    period = PeriodField(
        label="Period",
        help_text="Terminus is returned quarterly: a financial year or one of its quarters",
        kinds=("fy", "quarter"),
    )
    orgunit = forms.ChoiceField(label="Area", required=False)

    def __init__(
        self,
        *args: Any,
        orgunits: list[tuple[str, str]],
        periods: list[Period],
        default: Period,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["orgunit"]).choices = orgunits
        period = cast(PeriodField, self.fields["period"])
        period.set_periods(periods)
        period.initial = default.code
