"""A survey's results: % agreeing (or answering yes) per question with counts, the free-text
comments, the table as rows for CSV and XLSX, and a Vega-Lite chart.

Results are shown once the survey has closed (while it is open, each new answer could be
read off the page by difference) and only with at least the disclosure policy's threshold of
responses (:mod:`msoic.disclosure.groups`); a question answered by fewer is withheld too.
A percentage is rounded half up to a whole number: 130 of 143 is 91%.

The same figures reach the metric engine (``survey_percent_agree`` by question, and the
counts behind it) through :mod:`msoic.capability.survey.figures`, withheld by the same rule
(docs/training.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from msoic.capability.models import AGREE_FROM, YES, Answer, Question, QuestionKind, Survey
from msoic.dashboards.charts import bar_chart
from msoic.disclosure.groups import GroupRelease, release_group


def percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` as a whole percentage, rounded half up (None of nothing)."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    answered: int
    agreeing: int
    release: GroupRelease

    @property
    def percent(self) -> int | None:
        return None if self.release.withheld else percent(self.agreeing, self.answered)

    @property
    def measure(self) -> str:
        return "answering yes" if self.question.kind == QuestionKind.YES_NO else "agreeing"


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    responses: int
    release: GroupRelease
    questions: list[QuestionResult]
    comment_questions: list[tuple[Question, int]]  # (free-text question, comments given)
    asked: list[Question]  # every question, in order

    @property
    def shown(self) -> bool:
        """May the figures and comments be shown: closed, and enough responses."""
        return not self.survey.is_open and not self.release.withheld

    @property
    def why_not(self) -> str:
        if self.survey.is_open:
            return (
                "Results appear when the survey closes: while it is open, each new answer "
                "could be read off the page by difference."
            )
        if self.release.withheld:
            return f"Results are {self.release.reason}."
        return ""


def survey_results(survey: Survey) -> SurveyResults:
    """Three queries: the questions, the responses, and the answers counted per question."""
    questions = list(survey.questions.all())
    responses = survey.responses.count()
    agree = Q(question__kind=QuestionKind.AGREEMENT, choice__gte=AGREE_FROM) | Q(
        question__kind=QuestionKind.YES_NO, choice=YES
    )
    counted = {
        row["question_id"]: row
        for row in Answer.objects.filter(question__survey=survey)
        .order_by()
        .values("question_id")
        .annotate(answered=Count("pk"), agreeing=Count("pk", filter=agree))
    }
    choice_results = []
    comment_questions = []
    for q in questions:
        row = counted.get(q.pk, {"answered": 0, "agreeing": 0})
        if q.kind == QuestionKind.TEXT:
            comment_questions.append((q, row["answered"]))
        else:
            choice_results.append(
                QuestionResult(q, row["answered"], row["agreeing"], release_group(row["answered"]))
            )
    return SurveyResults(
        survey, responses, release_group(responses), choice_results, comment_questions, questions
    )


def comments(survey: Survey) -> QuerySet[Answer]:
    """The free-text answers, by question and then alphabetically (never in the order they
    came, which could tie an answer to when someone was seen answering)."""
    return (
        Answer.objects.filter(question__survey=survey, question__kind=QuestionKind.TEXT)
        .exclude(text="")
        .select_related("question")
        .order_by("question__position", "text", "pk")
    )


HEADER = ["Question", "Kind", "Answered", "Agreeing or yes", "Per cent", "Comment"]


def table_rows(results: SurveyResults) -> list[list[Any]]:
    """The results as rows for CSV and XLSX (``HEADER``): each question's counts, then each
    comment on a row of its own. Call only when the results are shown."""
    rows: list[list[Any]] = []
    for r in results.questions:
        if r.release.withheld:
            rows.append([r.question.text, r.question.get_kind_display(), "<5", "<5", "<5", ""])
        else:
            kind = r.question.get_kind_display()
            rows.append([r.question.text, kind, r.answered, r.agreeing, r.percent, ""])
    for answer in comments(results.survey).iterator():
        rows.append([answer.question.text, "Free text", "", "", "", answer.text])
    return rows


def notes(results: SurveyResults) -> list[str]:
    event = results.survey.event
    return [
        f"Feedback survey: {event.title}",
        f"{results.responses} responses from {results.survey.sent_count} people invited",
        "Per cent: agreeing or strongly agreeing (five-point questions) or answering yes, of "
        "those who answered, rounded half up. Fewer than 5 answers: withheld (<5).",
    ]


def results_chart(results: SurveyResults) -> dict[str, Any]:
    """Horizontal bars of % agreeing per question, in the survey's order."""
    bars: list[dict[str, Any]] = []
    for n, r in enumerate(results.questions, start=1):
        label = f"{n}. {r.question.text}"
        if len(label) > 70:
            label = label[:69] + "…"
        value = None if r.percent is None else r.percent / 100
        text = "<5" if r.percent is None else f"{r.percent}%"
        bars.append({"label": label, "value": value, "text": text})
    return bar_chart(
        f"Feedback on {results.survey.event.title}",
        f"Bar chart of the share of the {results.responses} respondents agreeing with each "
        "statement or answering yes, in the order of the survey; the table below gives every "
        "figure with its counts.",
        bars,
        label_title="Question",
        value_title="Agreeing or yes",
        percent=True,
        sort=[str(b["label"]) for b in bars],
    )
