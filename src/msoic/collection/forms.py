"""Input at the web boundary of collection: uploads, unlock reasons, grid filters, and the
data-entry form's fields and their conversion into the pipeline's rows.

Values typed into the data-entry form are *not* checked here: they become
:class:`~msoic.collection.readers.RawRow` objects and go through the same validation as
every file, so a figure is judged the same way however it arrives.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from msoic.catalogue.loader import Catalogue, Dataset
from msoic.collection.readers import RawRow
from msoic.metrics.money import MONEY_UNIT, format_entry
from msoic.metrics.periods import (
    Period,
    format_period,
    last_complete_month,
    periods_within,
)
from msoic.metrics.sources import source_label
from msoic.web.period_picker import PeriodField

FORM_SHEET = "form"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that takes one or many files."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        items = [item for item in items if item]
        if not items:
            raise forms.ValidationError("Select one or more files to upload", code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class UploadForm(forms.Form):
    return_files = MultipleFileField(
        label="Return files",
        help_text="CSV (UTF-8, comma separated) or the .xlsx template; you can select several.",
    )
    dry_run = forms.BooleanField(
        required=False,
        label="Check only (dry run): report problems but store nothing",
    )

    def clean_return_files(self) -> list[UploadedFile]:
        """Count and size limits, checked on the upload's metadata before any byte is parsed."""
        files: list[UploadedFile] = self.cleaned_data["return_files"]
        limit = settings.MSOIC_MAX_FILES_PER_UPLOAD
        if len(files) > limit:
            raise forms.ValidationError(
                f"You selected {len(files)} files; upload at most {limit} at a time",
                code="too_many",
            )
        max_bytes = settings.MSOIC_MAX_UPLOAD_BYTES
        too_big = [f for f in files if (f.size or 0) > max_bytes]
        if too_big:
            raise forms.ValidationError(
                [
                    forms.ValidationError(
                        f"{f.name} is {f.size:,} bytes, over the limit of {max_bytes:,} bytes; "
                        "split it into smaller files",
                        code="too_big",
                    )
                    for f in too_big
                ]
            )
        return files


class ForcePickerForm(forms.Form):
    force = forms.ChoiceField(label="Force")

    def __init__(self, *args: Any, forces: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["force"]).choices = [("", "Choose a force")] + [
            (f.code, f.name) for f in forces
        ]


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label="Why is this return being unlocked?",
        help_text="Recorded in the audit log, e.g. the force found an error after approval.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the return is being unlocked")
        return reason


class CompletenessForm(forms.Form):
    dataset = forms.ChoiceField(label="Return")
    end = PeriodField(kinds=("month",), label="Last month")
    months = forms.IntegerField(label="Months", required=False, min_value=1, max_value=36)

    def __init__(
        self, *args: Any, catalogue: Catalogue, today: date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        returns = self.returns(catalogue)
        cast(forms.ChoiceField, self.fields["dataset"]).choices = [
            (d.code, d.label) for d in returns
        ]
        # The last month may be any month from the chosen return's first to the last over.
        # (With none chosen, the grid shows the first return offered, as the view does.)
        chosen = next((d for d in returns if d.code == self.data.get("dataset")), returns[0])
        first = Period.parse(chosen.first_period).start
        last = last_complete_month(today or timezone.localdate())
        cast(PeriodField, self.fields["end"]).set_periods(periods_within("month", first, last))

    @staticmethod
    def returns(catalogue: Catalogue) -> list[Dataset]:
        """The datasets forces send returns for (not operations, not derived sources)."""
        return [
            d for d in catalogue.datasets.values() if d.returned_by_forces and not d.is_operation
        ]

    def clean_end(self) -> date | None:
        period = self.cleaned_data.get("end")
        return period.start if period is not None else None


# --- the data-entry form -------------------------------------------------------------


@dataclass
class EntryField:
    """One input of the data-entry form: a metric's total or one breakdown option."""

    name: str
    metric: str
    breakdown: str  # "" for the total, else "name=option"
    label: str
    value: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def is_total(self) -> bool:
        return not self.breakdown


@dataclass
class MetricBlock:
    """A metric's inputs: its total, its breakdown options, and a comment box."""

    code: str
    label: str
    help: str
    unit: str
    is_stock: bool
    total: EntryField
    breakdown_label: str
    options: list[EntryField]
    comment_name: str
    comment: str = ""
    comment_errors: list[str] = field(default_factory=list)

    @property
    def is_money(self) -> bool:
        return self.unit == MONEY_UNIT

    @property
    def fields(self) -> list[EntryField]:
        return [self.total, *self.options]

    @property
    def has_warnings(self) -> bool:
        return any(f.warnings for f in self.fields)

    @property
    def has_errors(self) -> bool:
        return any(f.errors for f in self.fields) or bool(self.comment_errors)


def value_field_name(metric: str, breakdown: str = "") -> str:
    if not breakdown:
        return f"v__{metric}"
    name, option = breakdown.split("=", 1)
    return f"v__{metric}__{name}__{option}"


def comment_field_name(metric: str) -> str:
    return f"c__{metric}"


class EntryForm:
    """The web data-entry form for one dataset, force and month.

    Built from the catalogue; holds what was typed (or the current version's values) and
    the problems the pipeline found, attached to the fields they are about."""

    def __init__(
        self,
        catalogue: Catalogue,
        dataset: str,
        force_code: str,
        month: date,
        *,
        current: dict[tuple[str, str], tuple[int, str]] | None = None,
        data: Any = None,
        from_register: Collection[str] = (),
    ) -> None:
        self.catalogue = catalogue
        # Metrics the force does not return this month: a derived source (its investigation
        # register, its intelligence logs...) gives them; each named with where it comes from.
        self.from_register = [
            f"{m.label} (from its {source_label(m.code)})"
            for m in catalogue.dataset_metrics(dataset)
            if m.code in from_register
        ]
        self.dataset = dataset
        self.force_code = force_code
        self.month = month
        self.blocks: list[MetricBlock] = []
        self.general_errors: list[str] = []
        current = current or {}
        for metric in catalogue.dataset_metrics(dataset):
            if metric.code in from_register:
                continue
            shown = format_entry if metric.is_money else str
            total_value, total_comment = current.get((metric.code, ""), (None, ""))
            total = EntryField(
                name=value_field_name(metric.code),
                metric=metric.code,
                breakdown="",
                label=f"Total {metric.unit}".strip() if metric.breakdowns else metric.label,
                value="" if total_value is None else shown(total_value),
            )
            options = []
            labels = []
            for bname in metric.breakdowns:
                breakdown = catalogue.breakdowns[bname]
                labels.append(breakdown.label)
                for option, option_label in breakdown.options.items():
                    key = f"{bname}={option}"
                    value, _ = current.get((metric.code, key), (None, ""))
                    options.append(
                        EntryField(
                            name=value_field_name(metric.code, key),
                            metric=metric.code,
                            breakdown=key,
                            label=option_label,
                            value="" if value is None else shown(value),
                        )
                    )
            self.blocks.append(
                MetricBlock(
                    code=metric.code,
                    label=metric.label,
                    help=metric.help,
                    unit=metric.unit,
                    is_stock=metric.is_stock,
                    total=total,
                    breakdown_label=", ".join(labels),
                    options=options,
                    comment_name=comment_field_name(metric.code),
                    comment=total_comment,
                )
            )
        if data is not None:
            for block in self.blocks:
                for f in block.fields:
                    f.value = str(data.get(f.name, "")).strip()
                block.comment = str(data.get(block.comment_name, "")).strip()

    @property
    def fields_by_name(self) -> dict[str, EntryField]:
        return {f.name: f for block in self.blocks for f in block.fields}

    def raw_rows(self) -> list[RawRow]:
        """The typed values as the pipeline's rows: sheet 'form', one line per input in
        page order, every column pointing at the input so problems land on it."""
        rows: list[RawRow] = []
        period = format_period(self.catalogue.datasets[self.dataset].frequency, self.month)
        for block in self.blocks:
            for f in block.fields:
                line = len(rows) + 1
                columns = {c: f.name for c in ("force", "period", "metric", "breakdown", "value")}
                columns["comment"] = block.comment_name
                rows.append(
                    RawRow(
                        sheet=FORM_SHEET,
                        row=line,
                        cells={
                            "force": self.force_code,
                            "period": period,
                            "metric": block.code,
                            "breakdown": f.breakdown,
                            "value": f.value or None,
                            "comment": block.comment if f.is_total else "",
                            "dataset": self.dataset,
                        },
                        columns=columns,
                    )
                )
        return rows

    def attach(self, problems: list[Any]) -> None:
        """Put each problem found by the pipeline against the input it is about."""
        by_name = self.fields_by_name
        comments = {b.comment_name: b for b in self.blocks}
        for p in problems:
            target = by_name.get(p.column)
            # Named by the box's figure, so the error summary says which box it links to.
            message = f"{p.figure}: {p.message}" if getattr(p, "figure", "") else p.message
            if target is not None:
                (target.errors if p.severity == "error" else target.warnings).append(message)
            elif p.column in comments and p.severity == "error":
                comments[p.column].comment_errors.append(message)
            elif p.severity == "error":
                self.general_errors.append(message)

    @property
    def error_links(self) -> list[tuple[str, str]]:
        """(input id, message) for the GOV.UK error summary."""
        out = [("", m) for m in self.general_errors]
        for block in self.blocks:
            for f in block.fields:
                out.extend((f.name, m) for m in f.errors)
            out.extend((block.comment_name, m) for m in block.comment_errors)
        return out

    @property
    def warning_links(self) -> list[tuple[str, str]]:
        """(comment input id, message) for warnings that need a comment."""
        return [(b.comment_name, m) for b in self.blocks for f in b.fields for m in f.warnings]
