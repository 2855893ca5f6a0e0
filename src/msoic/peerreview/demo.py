"""Demo peer reviews, as the annual report describes them: by 31 March 2024, 22 forces
reviewed with 718 recommendations and 67 areas of good practice, at realistic stages of
implementation; the other 21 forces reviewed from April 2024, their reports published by
the end of September 2024, so that every force has been peer reviewed by then.

Everything is made through the actions (so the audit log holds it) from a fixed seed. The
report's figures are not stored anywhere: the roll-up counts them from these records.
Idempotent: a force that already has a review is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from msoic.accounts.models import Role, User
from msoic.orgunits.models import OrgUnit
from msoic.peerreview import actions
from msoic.peerreview.models import PeerReview, Priority, RecStatus, Stage
from msoic.peerreview.rollup import headline_counts

SEED = 20240331
REPORT_DATE = date(2024, 3, 31)
REVIEWED = 22
RECOMMENDATIONS = 718
GOOD_PRACTICE = 67
FIRST_PUBLISHED = date(2023, 4, 20)
# The second half of the programme: fieldwork from April 2024, the last report published by
# the end of September 2024 (all 43 forces reviewed by then).
FIRST_FIELDWORK = date(2024, 4, 8)
LAST_PUBLISHED = date(2024, 9, 24)
ALL_REVIEWED_BY = date(2024, 9, 30)
# Their recommendations and good practice (the report gives no count for them).
LATER_RECOMMENDATIONS = 651
LATER_GOOD_PRACTICE = 61
# The demo users' forces are among those reviewed, so their accounts have something to see.
ALWAYS_REVIEWED = ("kent", "essex")
FIELDWORK_TO_REPORT = 56  # days from fieldwork to the published report

# Example findings by theme (the codes of the five themes the data migration seeds).
ACTIONS_BY_THEME: dict[str, list[str]] = {
    "leadership": [
        "Name a chief officer lead for organised immigration crime and set out their remit",
        "Set up a governance board that reviews OIC performance every quarter",
        "Include OIC in the force strategic assessment and control strategy",
        "Agree a problem profile for organised immigration crime with partners",
        "Publish a force OIC delivery plan with measurable outcomes",
        "Report OIC threat and performance to the Police and Crime Commissioner",
        "Make one senior leader accountable for the enhancement plan",
    ],
    "intelligence": [
        "Apply the national OIC hashtag to every relevant intelligence report",
        "Develop intelligence from small boat arrivals with Border Force and Immigration Enforcement",
        "Task the force intelligence bureau to develop OIC submissions within set timescales",
        "Share OIC intelligence with the regional organised crime unit through agreed routes",
        "Train intelligence staff to recognise indicators of facilitation and exploitation",
        "Review the grading and sanitisation of OIC intelligence from partners",
        "Add OIC to the force's tasking and coordination meeting agenda",
    ],
    "operational": [
        "Issue guidance to response officers on encountering clandestine entrants",
        "Agree a joint protocol with Immigration Enforcement for out-of-hours encounters",
        "Make the first-responder checklist for lorry drops available on mobile devices",
        "Take part in national intensification weeks and record activity in the return",
        "Plan port and roadside operations with partners at known crossing points",
        "Ensure custody staff identify potential victims and make NRM referrals",
        "Record OIC disruptions consistently using the national disruption categories",
    ],
    "investigations": [
        "Allocate OIC investigations to officers with the right accreditation",
        "Use financial investigation in every OIC investigation that meets the threshold",
        "Set up a review of OIC investigations at 28 days by a supervisor",
        "Seek early investigative advice from the Crown Prosecution Service",
        "Use ancillary orders such as slavery and trafficking prevention orders where possible",
        "Capture digital evidence from devices seized from facilitators",
        "Record outcomes of OIC investigations so that they can be reported nationally",
    ],
    "training": [
        "Deliver OIC awareness training to all frontline officers and staff",
        "Add OIC content to the initial training of new recruits",
        "Train call handlers to recognise calls about facilitation or clandestine entry",
        "Provide specialist training for investigators of OIC offences",
        "Use the unit's OIC e-learning package and track completion rates",
        "Brief custody and detention officers on OIC indicators",
        "Hold an annual OIC awareness event with partner agencies",
    ],
}
GOOD_PRACTICE_BY_THEME = {
    "leadership": [
        (
            "Joint OIC board with the local authority",
            "A monthly board chaired by the chief "
            "superintendent brings police, council and Border Force leads together.",
        ),
        (
            "Named OIC champions in every command",
            "Each command has a champion who reports "
            "progress on the enhancement plan to the chief officer lead.",
        ),
    ],
    "intelligence": [
        (
            "Daily review of small boat intelligence",
            "An analyst reviews overnight arrivals "
            "intelligence each morning and shares leads with the regional unit.",
        ),
        (
            "Hashtag compliance dashboard",
            "Supervisors see which intelligence reports lack the "
            "national OIC hashtag and correct them within a week.",
        ),
    ],
    "operational": [
        (
            "Lorry-drop response card",
            "A pocket card tells first responders what to do, whom "
            "to call and how to safeguard people found in vehicles.",
        ),
        (
            "Port partnership patrols",
            "Officers patrol with port security and Border Force during periods of high risk.",
        ),
    ],
    "investigations": [
        (
            "Financial investigator on every OIC case",
            "A financial investigator is assigned at the start of each OIC investigation.",
        ),
        (
            "Early CPS advice protocol",
            "Investigators seek charging advice within 14 days of arrest in OIC cases.",
        ),
    ],
    "training": [
        (
            "OIC module in recruit training",
            "New recruits complete a half-day OIC module built with the unit.",
        ),
        (
            "Call handler scenario training",
            "Control room staff practise OIC calls through recorded scenarios.",
        ),
    ],
}
OWNERS = [
    "Detective Chief Inspector, Serious Organised Crime",
    "Superintendent, Intelligence",
    "Chief Inspector, Response",
    "Head of Learning and Development",
    "Detective Superintendent, Public Protection",
    "Chief Superintendent, Local Policing",
]
REVIEWERS = [
    "Peer review lead",
    "Intelligence specialist",
    "Investigations specialist",
    "Regional coordinator",
]


@dataclass
class PeerReviewDemoReport:
    created: int
    already: int
    forces_reviewed: int
    recommendations: int
    good_practice: int
    forces_scheduled: int
    forces_reviewed_by_september: int = 0

    def lines(self) -> list[str]:
        return [
            f"Peer reviews: {self.created} created, {self.already} kept as they were.",
            f"  by {REPORT_DATE:%d %B %Y}, counted from the records: {self.forces_reviewed} forces "
            f"reviewed, {self.recommendations} recommendations, {self.good_practice} areas of "
            f"good practice; {self.forces_scheduled} forces scheduled; by "
            f"{ALL_REVIEWED_BY:%d %B %Y}: {self.forces_reviewed_by_september} forces reviewed",
        ]


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _stage_of(rng: random.Random, months_old: int) -> list[str]:
    """A realistic path for one recommendation given how long ago its report came out."""
    roll = rng.random()
    closed = min(0.05 + 0.045 * months_old, 0.6)
    implemented = closed + 0.12
    in_progress = implemented + 0.35
    refused = in_progress + 0.03
    if roll < closed:
        return [RecStatus.IN_PROGRESS, RecStatus.IMPLEMENTED, RecStatus.CLOSED]
    if roll < implemented:
        return [RecStatus.IN_PROGRESS, RecStatus.IMPLEMENTED]
    if roll < in_progress:
        return [RecStatus.IN_PROGRESS]
    if roll < refused:
        return [RecStatus.NOT_ACCEPTED]
    return []


def build_peer_review_demo(national: User) -> PeerReviewDemoReport:
    """Create the demo reviews (idempotent). ``national`` is the unit's demo account."""
    rng = random.Random(SEED)
    forces = list(OrgUnit.objects.forces().order_by("code"))
    chosen = [f for f in forces if f.code in ALWAYS_REVIEWED]
    others = [f for f in forces if f.code not in ALWAYS_REVIEWED]
    rng.shuffle(others)
    chosen += others[: REVIEWED - len(chosen)]
    scheduled = others[REVIEWED - len(ALWAYS_REVIEWED) :]
    has_review = set(PeerReview.objects.values_list("force_id", flat=True))
    force_users = {
        u.orgunit_id: u for u in User.objects.filter(role=Role.FORCE, orgunit__isnull=False)
    }
    rec_counts = _split(RECOMMENDATIONS, REVIEWED)
    good_counts = _split(GOOD_PRACTICE, REVIEWED)
    span = (REPORT_DATE - FIRST_PUBLISHED).days
    created = already = 0
    for i, force in enumerate(chosen):
        published = FIRST_PUBLISHED + timedelta(days=span * i // (REVIEWED - 1))
        if force.pk in has_review:
            already += 1
            continue
        _published_review(
            rng,
            force,
            national,
            force_users.get(force.pk, national),
            published,
            rec_counts[i],
            good_counts[i],
        )
        created += 1
    # The rest: fieldwork from April 2024, each report published eight weeks after it.
    first_published = FIRST_FIELDWORK + timedelta(days=FIELDWORK_TO_REPORT)
    step = (LAST_PUBLISHED - first_published).days / max(len(scheduled) - 1, 1)
    later_recs = _split(LATER_RECOMMENDATIONS, len(scheduled))
    later_good = _split(LATER_GOOD_PRACTICE, len(scheduled))
    for i, force in enumerate(scheduled):
        if force.pk in has_review:
            already += 1
            continue
        _published_review(
            rng,
            force,
            national,
            force_users.get(force.pk, national),
            first_published + timedelta(days=round(step * i)),
            later_recs[i],
            later_good[i],
            as_of=ALL_REVIEWED_BY,
        )
        created += 1
    headline = headline_counts(PeerReview.objects.all(), REPORT_DATE)
    september = headline_counts(PeerReview.objects.all(), ALL_REVIEWED_BY)
    return PeerReviewDemoReport(
        created=created,
        already=already,
        forces_reviewed=headline.forces_reviewed,
        recommendations=headline.recommendations,
        good_practice=headline.good_practice,
        forces_scheduled=headline.forces_scheduled,
        forces_reviewed_by_september=september.forces_reviewed,
    )


def _published_review(
    rng: random.Random,
    force: OrgUnit,
    national: User,
    force_actor: User,
    published: date,
    n_recs: int,
    n_good: int,
    *,
    as_of: date = REPORT_DATE,
) -> None:
    """A review published on ``published``, its recommendations' progress recorded up to
    ``as_of``."""
    fieldwork = published - timedelta(days=FIELDWORK_TO_REPORT)
    review = actions.do_schedule_peer_review(
        force,
        actor=national,
        team=[national],
        stage=Stage.DRAFTED,
        fieldwork_start=fieldwork,
        fieldwork_end=fieldwork + timedelta(days=4),
        report_due=published,
        team_names="\n".join(REVIEWERS),
        summary=f"Peer review of {force.name}'s response to "
        "organised immigration crime across the five themes.",
    )
    themes = list(ACTIONS_BY_THEME)  # the codes of the themes the migration seeds
    recs = []
    for n in range(n_recs):
        theme = themes[n % len(themes)]
        options = ACTIONS_BY_THEME[theme]
        priority = rng.choices(list(Priority), weights=[3, 5, 2])[0]
        months = {Priority.HIGH: 6, Priority.MEDIUM: 9, Priority.LOW: 12}[priority]
        recs.append(
            actions.do_add_recommendation(
                review,
                actor=national,
                theme=theme,
                priority=priority,
                text=options[(n // len(themes)) % len(options)],
                owner=rng.choice(OWNERS),
                due_date=published + timedelta(days=30 * months),
            )
        )
    for n in range(n_good):
        theme = themes[(n + rng.randrange(5)) % len(themes)]
        title, text = GOOD_PRACTICE_BY_THEME[theme][n % 2]
        actions.do_add_good_practice(review, actor=national, theme=theme, title=title, text=text)
    actions.do_publish_peer_review(review, actor=national, on=published)
    actions.do_set_task_group(
        force,
        actor=force_actor,
        chair="Assistant Chief Constable, Crime",
        members="\n".join(rng.sample(OWNERS, 4)),
    )
    months_old = (as_of - published).days // 30
    for rec in recs:
        on = published + timedelta(days=21)
        for status in _stage_of(rng, months_old):
            on = min(on + timedelta(days=rng.randint(20, 90)), as_of)
            unit_step = status in (RecStatus.CLOSED, RecStatus.NOT_ACCEPTED)
            actions.do_update_recommendation(
                rec,
                actor=national if unit_step else force_actor,
                status=status,
                on=on,
                note="Verified by the peer review team" if status == RecStatus.CLOSED else "",
                evidence="Policy, training records and dip sample provided"
                if status == RecStatus.IMPLEMENTED
                else "",
                reason="Addressed by a regional arrangement instead"
                if status == RecStatus.NOT_ACCEPTED
                else "",
            )
    for item in review.good_practice.all():
        if rng.random() < 0.8:
            actions.do_publish_good_practice(
                item, actor=national, show_source=rng.random() < 0.6, on=published
            )
