"""Input at the web boundary of feedback surveys: writing the questions, the contact list,
and one response."""

from __future__ import annotations

from typing import Any

from django import forms

from msoic.capability.models import AGREEMENT_CHOICES, NO, YES, Question, QuestionKind
from msoic.capability.survey.actions import MAX_QUESTIONS, MAX_TEXT_ANSWER

AREA = forms.Textarea(attrs={"class": "govuk-textarea", "rows": 5})


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


class SurveyForm(forms.Form):
    intro = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
        label="Introduction (optional, shown above the questions)",
    )
    agreement = forms.CharField(
        required=False,
        widget=AREA,
        label="Statements to agree or disagree with, on a five-point scale (one a line)",
    )
    yes_no = forms.CharField(
        required=False, widget=AREA, label="Questions answered yes or no (one a line)"
    )
    free_text = forms.CharField(
        required=False, widget=AREA, label="Questions answered in words (one a line, optional)"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        questions = [
            (kind, line)
            for field, kind in (
                ("agreement", QuestionKind.AGREEMENT),
                ("yes_no", QuestionKind.YES_NO),
                ("free_text", QuestionKind.TEXT),
            )
            for line in _lines(data.get(field) or "")
        ]
        if not questions:
            self.add_error("agreement", "Give at least one statement or question")
        elif len(questions) > MAX_QUESTIONS:
            self.add_error("agreement", f"A survey has at most {MAX_QUESTIONS} questions")
        for field in ("agreement", "yes_no", "free_text"):
            if any(len(line) > 300 for line in _lines(data.get(field) or "")):
                self.add_error(field, "Each line has at most 300 characters")
        data["questions"] = [(str(k), t) for k, t in questions]
        return data


class InviteForm(forms.Form):
    contact_file = forms.FileField(
        label="Attendees' contact list (CSV or XLSX with an email column)",
        widget=forms.ClearableFileInput(
            attrs={"class": "govuk-file-upload", "accept": ".csv,.xlsx"}
        ),
    )


class ResponseForm(forms.Form):
    """One field a question (``q<position>``): agreement and yes/no must be answered, text
    may be left empty."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            name = f"q{q.position}"
            if q.kind == QuestionKind.TEXT:
                self.fields[name] = forms.CharField(
                    label=q.text,
                    required=False,
                    max_length=MAX_TEXT_ANSWER,
                    widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
                )
            else:
                choices = (
                    AGREEMENT_CHOICES
                    if q.kind == QuestionKind.AGREEMENT
                    else [(YES, "Yes"), (NO, "No")]
                )
                self.fields[name] = forms.TypedChoiceField(
                    label=q.text,
                    choices=choices,
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={"required": f"Choose an answer to: {q.text}"},
                )
            self.fields[name].question = q  # type: ignore[attr-defined]

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(f"q{q.position}") for q in self.questions}
