"""``msoic dde set FORCE METRIC FROM [--user USERNAME]``, ``msoic dde end FORCE METRIC``,
``msoic dde list``: which forces' figures come from their investigation register.

Marking a force is a national analyst's decision: with ``--user`` the change is recorded
as theirs (the user must be national); without it, as the command. Each change writes an
audit row (msoic.cases.register.dde).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from msoic.accounts.models import User
from msoic.cases import access
from msoic.cases.models import DDE_METRICS, DdeAdoption
from msoic.cases.register.dde import DdeError, do_end_dde_adoption, do_set_dde_adoption
from msoic.metrics.periods import PeriodError, format_month, parse_month
from msoic.orgunits.models import OrgUnit, OrgUnitKind


class Command(BaseCommand):
    help = "Mark a force as deriving a metric from its investigation register (DDE) from a month."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        setting = sub.add_parser("set", help="derive METRIC from FORCE's register from FROM")
        setting.add_argument("force")
        setting.add_argument("metric", choices=DDE_METRICS)
        setting.add_argument("from_month", metavar="FROM", help="first month derived, YYYY-MM")
        setting.add_argument("--user", help="record the change as this national user")
        ending = sub.add_parser("end", help="FORCE returns METRIC again")
        ending.add_argument("force")
        ending.add_argument("metric", choices=DDE_METRICS)
        ending.add_argument("--user", help="record the change as this national user")
        sub.add_parser("list", help="the forces on the register, by metric")

    def _actor(self, username: str | None) -> Any:
        if not username:
            return "dde command"
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not access.is_national(user):
            raise CommandError(f"{username!r} is not an active national user")
        return user

    def _force(self, code: str) -> OrgUnit:
        force = OrgUnit.objects.filter(code=code, kind=OrgUnitKind.FORCE).first()
        if force is None:
            raise CommandError(f"unknown force {code!r}")
        return force

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            rows = DdeAdoption.objects.select_related("force").order_by("metric", "force__code")
            for a in rows:
                self.stdout.write(f"{a.metric}\t{a.force.code}\tfrom {format_month(a.from_month)}")
            self.stdout.write(f"{rows.count()} force-metric adoptions")
            return
        force = self._force(options["force"])
        actor = self._actor(options["user"])
        if action == "end":
            ended = do_end_dde_adoption(force, options["metric"], actor=actor)
            if not ended:
                raise CommandError(f"{force.code} does not derive {options['metric']}")
            self.stdout.write(f"{force.code} returns {options['metric']} again")
            return
        try:
            month = parse_month(options["from_month"])
            do_set_dde_adoption(force, options["metric"], month, actor=actor)
        except (PeriodError, DdeError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{force.code}: {options['metric']} comes from the register from {format_month(month)}"
        )
