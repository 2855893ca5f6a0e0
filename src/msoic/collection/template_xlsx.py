"""The XLSX return template for one dataset, force and month.

The workbook is built so that the collection pipeline reads it back unchanged once the
value column is filled in: sheet ``Return`` has a short title and instructions, then the
canonical header (``force, period, metric, breakdown, value, comment``) followed by the
label columns the reader ignores (``metric_label``, ``breakdown_label``). Each metric has a
row for its total and one per breakdown option, with the codes filled in. Period cells are
stored as text so Excel does not turn ``2024-02`` into a date; the value column only
accepts whole numbers of 0 or more. Sheet ``Guidance`` carries the catalogue's help text.

Every text cell written from the catalogue goes through :func:`msoic.web.exports.safe_cell`,
so a label can never become a formula.
"""

from __future__ import annotations

import io
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from msoic.catalogue.loader import Catalogue
from msoic.collection.readers import CANONICAL_COLUMNS, TEMPLATE_SHEET
from msoic.metrics.periods import format_period, month_label, period_due_date, period_label
from msoic.metrics.sources import source_label
from msoic.web.exports import safe_cell

GUIDANCE_SHEET = "Guidance"
TEMPLATE_LABEL_COLUMNS = ["metric_label", "breakdown_label"]
HEADER = CANONICAL_COLUMNS + TEMPLATE_LABEL_COLUMNS
TEXT_FORMAT = "@"
INPUT_FILL = PatternFill(fill_type="solid", start_color="FFFFF2CC", end_color="FFFFF2CC")
HEADER_FILL = PatternFill(fill_type="solid", start_color="FFD9D9D9", end_color="FFD9D9D9")
COLUMN_WIDTHS = {
    "force": 18,
    "period": 10,
    "metric": 26,
    "breakdown": 32,
    "value": 12,
    "comment": 40,
    "metric_label": 50,
    "breakdown_label": 30,
}


@dataclass(frozen=True)
class TemplateRow:
    """One line of the template: a metric's total (``breakdown`` empty) or one option."""

    metric: str
    breakdown: str  # "" or "name=option", as the canonical format writes it
    metric_label: str
    breakdown_label: str


def template_rows(
    catalogue: Catalogue, dataset: str, from_register: Collection[str] = ()
) -> list[TemplateRow]:
    """The template's lines; metrics in ``from_register`` (counted from the force's
    investigation register, see msoic.cases.register.dde) are left out."""
    rows: list[TemplateRow] = []
    for metric in catalogue.dataset_metrics(dataset):
        if metric.code in from_register:
            continue
        rows.append(TemplateRow(metric.code, "", metric.label, "Total"))
        for name in metric.breakdowns:
            breakdown = catalogue.breakdowns[name]
            for option, option_label in breakdown.options.items():
                rows.append(
                    TemplateRow(
                        metric.code,
                        f"{name}={option}",
                        metric.label,
                        f"{breakdown.label}: {option_label}",
                    )
                )
    return rows


def template_filename(
    dataset: str, force_code: str, month: date, frequency: str = "monthly"
) -> str:
    return f"{dataset}_{force_code}_{format_period(frequency, month)}.xlsx"


def build_template(
    catalogue: Catalogue,
    dataset: str,
    force_code: str,
    force_name: str,
    month: date,
    from_register: Collection[str] = (),
) -> bytes:
    """The template workbook as bytes, without the metrics in ``from_register``."""
    ds = catalogue.datasets[dataset]
    wb = Workbook()
    ws = wb.active
    ws.title = TEMPLATE_SHEET
    period = format_period(ds.frequency, month)
    money_metrics = any(m.is_money for m in catalogue.dataset_metrics(dataset))
    deadline = period_due_date(ds.frequency, month, ds.due_day)

    intro = [
        f"{ds.label}: {force_name}, {period_label(ds.frequency, month)}",
        "Fill in the value column (yellow) only: whole numbers of 0 or more"
        + (", or pounds and pence (e.g. 1234.56) for amounts of money" if money_metrics else "")
        + ". Leave a cell "
        "blank if the figure is not known. Do not change the codes in the other columns.",
        "Breakdown rows must add up to the metric's total. A figure far above your usual "
        "level needs a comment explaining it. The Guidance sheet says what each figure counts.",
        f"Due by {deadline.day} {month_label(deadline)}. Upload this file on the Returns page "
        "of MSOIC Insight as it is (.xlsx), or saved as CSV UTF-8.",
    ]
    if from_register:
        labels = [
            f"{m.label} (from your {source_label(m.code)})"
            for m in catalogue.dataset_metrics(dataset)
            if m.code in from_register
        ]
        intro.append(
            "Not asked here, as they are counted from your own records: " + "; ".join(labels) + "."
        )
    for line in intro:
        ws.append([safe_cell(line)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])

    header = (
        [*CANONICAL_COLUMNS, "dataset", *TEMPLATE_LABEL_COLUMNS]
        if catalogue.names_dataset(dataset)
        else HEADER
    )
    ws.append(header)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL

    value_col = header.index("value") + 1
    comment_col = header.index("comment") + 1
    period_col = header.index("period") + 1
    first_data_row = header_row + 1
    for row in template_rows(catalogue, dataset, from_register):
        cells = {
            "force": force_code,
            "period": period,
            "metric": row.metric,
            "breakdown": row.breakdown,
            "dataset": dataset,
            "metric_label": row.metric_label,
            "breakdown_label": row.breakdown_label,
        }
        ws.append([safe_cell(cells[c]) if c in cells else None for c in header])
    last_data_row = ws.max_row
    money_rows = {
        first_data_row + i
        for i, row in enumerate(template_rows(catalogue, dataset, from_register))
        if catalogue.metrics[row.metric].is_money
    }

    for r in range(first_data_row, last_data_row + 1):
        period_cell = ws.cell(row=r, column=period_col)
        period_cell.number_format = TEXT_FORMAT
        value_cell = ws.cell(row=r, column=value_col)
        value_cell.number_format = "#,##0.00" if r in money_rows else "0"
        value_cell.fill = INPUT_FILL
        value_cell.protection = Protection(locked=False)
        comment_cell = ws.cell(row=r, column=comment_col)
        comment_cell.number_format = TEXT_FORMAT
        comment_cell.protection = Protection(locked=False)
        comment_cell.alignment = Alignment(wrap_text=True)

    value_letter = get_column_letter(value_col)
    validation = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Whole number needed",
        error="Type a whole number of 0 or more, or leave the cell blank.",
        showInputMessage=True,
        promptTitle="Value",
        prompt="A whole number of 0 or more; blank if not known.",
    )
    if not money_rows:
        validation.add(f"{value_letter}{first_data_row}:{value_letter}{last_data_row}")
    else:  # amounts of money: pounds and pence (the pipeline refuses fractions of a penny)
        money = DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Amount in pounds needed",
            error="Type an amount in pounds and pence of 0 or more, or leave the cell blank.",
            showInputMessage=True,
            promptTitle="Amount (£)",
            prompt="Pounds and pence, e.g. 1234.56; blank if not known.",
        )
        for r in range(first_data_row, last_data_row + 1):
            (money if r in money_rows else validation).add(f"{value_letter}{r}")
        ws.add_data_validation(money)
    ws.add_data_validation(validation)

    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = COLUMN_WIDTHS.get(name, 14)
    ws.freeze_panes = ws.cell(row=first_data_row, column=1)
    # Protected without a password: codes cannot be overwritten by accident, yet anyone
    # who needs to (e.g. to paste a block) can switch protection off.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    _guidance_sheet(wb, catalogue, dataset, deadline)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _guidance_sheet(wb: Workbook, catalogue: Catalogue, dataset: str, deadline: date) -> None:
    ds = catalogue.datasets[dataset]
    ws = wb.create_sheet(GUIDANCE_SHEET)
    ws.append([safe_cell(f"Guidance: {ds.label}")])
    ws["A1"].font = Font(bold=True, size=14)
    if ds.description:
        ws.append([safe_cell(ds.description)])
    ws.append(
        [
            safe_cell(
                f"Due on day {ds.due_day} of the month after the "
                f"{'quarter' if ds.frequency == 'quarterly' else 'month'}; this return's "
                f"deadline is {deadline.isoformat()}."
            )
        ]
    )
    ws.append([])
    ws.append(["metric", "label", "what it counts", "counted as", "breakdown", "options"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for metric in catalogue.dataset_metrics(dataset):
        kind = "position at month end" if metric.is_stock else "total during the month"
        breakdown_names = ", ".join(catalogue.breakdowns[b].label for b in metric.breakdowns)
        options = "; ".join(
            f"{name}={code} ({label})"
            for name in metric.breakdowns
            for code, label in catalogue.breakdowns[name].options.items()
        )
        ws.append(
            [
                safe_cell(metric.code),
                safe_cell(metric.label),
                safe_cell(metric.help),
                safe_cell(kind),
                safe_cell(breakdown_names or "none"),
                safe_cell(options),
            ]
        )
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.append([])
    ws.append([safe_cell("Checks made when the return is uploaded")])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append(["check", "what happens"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for rule in catalogue.rules:
        effect = (
            "blocks the return until fixed"
            if rule.importance == "error"
            else "accepted once a comment explains it"
        )
        ws.append([safe_cell(rule.message), safe_cell(effect)])
        ws.cell(row=ws.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (26, 45, 60, 22, 24, 60), strict=True):
        ws.column_dimensions[letter].width = width
