"""Feedback surveys' figures for the metric engine: responses by event, and answers and
answers agreeing by question, so that ``survey_percent_agree`` (a ratio of the catalogue,
agreeing over answered) gives each question's % agreeing as the results page does.

A response has no force (it is kept apart from the attendee on purpose), so these are the
figures of the org unit that owns the event (the unit, or a region), as the documents
library's are: the engine adds them to that org unit's answer and the ones above it
(``unit_cells`` and ``unit_option_cells``, :mod:`msoic.metrics.sources`), never to a
force's. A survey counts once it has closed (while it is open each new answer could be
read off by difference), in the month of its event's last session. What the results page
withholds the figures withhold, through the same disclosure-control rule
(:func:`msoic.disclosure.groups.release_group`: fewer than the policy's threshold): a
survey with too few responses gives no figure at all, and a question answered by too few
gives none for that question; neither is in any total, so nothing withheld can be read
off by subtraction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Q

from msoic.capability.models import (
    AGREE_FROM,
    YES,
    Question,
    QuestionKind,
    Survey,
    SurveyStatus,
)
from msoic.disclosure.groups import release_group
from msoic.metrics.periods import month_end

RESPONSES = "survey_responses"
ANSWERED = "survey_answered"
AGREEING = "survey_agreeing"
METRICS = frozenset({RESPONSES, ANSWERED, AGREEING})
BY_QUESTION = "survey_question"


def question_code(event_code: str, position: int) -> str:
    """A question's option of the ``survey_question`` breakdown: ``<event code>.q<n>``."""
    return f"{event_code}.q{position}"


@dataclass(frozen=True)
class _Question:
    code: str
    label: str
    answered: int
    agreeing: int


@dataclass(frozen=True)
class _Survey:
    owner_id: int
    month: date
    event_code: str
    responses: int
    withheld: bool
    questions: list[_Question]


def _surveys(orgunit_ids: Collection[int] | None, months: list[date]) -> list[_Survey]:
    """The closed surveys of events owned by ``orgunit_ids`` (any owner when None) whose
    last session falls in ``months``, with their counts: two queries."""
    if not months:
        return []
    found = Survey.objects.filter(status=SurveyStatus.CLOSED)
    if orgunit_ids is not None:
        found = found.filter(event__owner_id__in=list(orgunit_ids))
    rows = list(
        found.annotate(last=Max("event__sessions__date"))
        .filter(last__gte=min(months), last__lte=month_end(max(months)))
        .annotate(n=Count("responses", distinct=True))
        .values_list("pk", "event__owner_id", "event__code", "event__title", "last", "n")
        .order_by("last", "event__code")
    )
    keep = set(months)
    rows = [r for r in rows if r[4].replace(day=1) in keep]
    if not rows:
        return []
    agree = Q(kind=QuestionKind.AGREEMENT, answers__choice__gte=AGREE_FROM) | Q(
        kind=QuestionKind.YES_NO, answers__choice=YES
    )
    counted: dict[int, list[tuple[int, str, int, int]]] = {}
    for survey_id, position, text, answered, agreeing in (
        Question.objects.filter(survey_id__in=[r[0] for r in rows])
        .exclude(kind=QuestionKind.TEXT)
        .order_by("survey_id", "position")
        .values_list("survey_id", "position", "text")
        .annotate(
            answered=Count("answers"),
            agreeing=Count("answers", filter=agree),
        )
    ):
        counted.setdefault(survey_id, []).append((position, text, answered, agreeing))
    out = []
    for survey_id, owner_id, code, title, last, n in rows:
        questions = [
            _Question(question_code(code, pos), f"{title}: {text}", answered, agreeing)
            for pos, text, answered, agreeing in counted.get(survey_id, [])
        ]
        out.append(
            _Survey(owner_id, last.replace(day=1), code, n, release_group(n).withheld, questions)
        )
    return out


def _released(q: _Question) -> bool:
    return not release_group(q.answered).withheld


def unit_option_cells(
    metric: str, orgunit_ids: Collection[int], months: list[date], breakdown: str | None
) -> dict[tuple[int, date, str], int]:
    """(owner id, month, option) -> figure: responses by event, answers and answers
    agreeing by question; nothing withheld."""
    out: dict[tuple[int, date, str], int] = {}
    for s in _surveys(orgunit_ids, months):
        if s.withheld:
            continue
        if metric == RESPONSES and breakdown == "training_event":
            out[(s.owner_id, s.month, s.event_code)] = s.responses
        elif metric in (ANSWERED, AGREEING) and breakdown == BY_QUESTION:
            for q in s.questions:
                if _released(q):
                    value = q.answered if metric == ANSWERED else q.agreeing
                    out[(s.owner_id, s.month, q.code)] = value
    return out


def unit_cells(
    metric: str, orgunit_ids: Collection[int], months: list[date]
) -> dict[tuple[int, date], int]:
    """(owner id, month) -> figure: the responses, answers or answers agreeing of every
    survey (and question) released."""
    out: dict[tuple[int, date], int] = {}
    for s in _surveys(orgunit_ids, months):
        if s.withheld:
            continue
        if metric == RESPONSES:
            value = s.responses
        else:
            shown = [q for q in s.questions if _released(q)]
            value = sum(q.answered if metric == ANSWERED else q.agreeing for q in shown)
        out[(s.owner_id, s.month)] = out.get((s.owner_id, s.month), 0) + value
    return out


def question_options(months: list[date]) -> dict[str, str]:
    """The ``survey_question`` options over ``months``: every agreement and yes-or-no
    question of the closed surveys counted in them (withheld ones included: their rows
    say there is no figure), in the order of the events and the questions."""
    return {q.code: q.label for s in _surveys(None, months) for q in s.questions}
