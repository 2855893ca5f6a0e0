"""Awards made at the same moment against one envelope, on a real PostgreSQL server: the
envelope row lock makes them queue, so exactly as many succeed as the envelope can pay
for and the balance is never wrong. (SQLite serialises writers with BEGIN IMMEDIATE; the
benchmark exercises that on a file database. pytest's in-memory SQLite cannot.)"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from msoic.commissioning import actions
from msoic.commissioning.models import Bid, BidStatus
from tests.commissioning.conftest import make_bid, make_envelope, make_window

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL pass)"
)
# The ``transactional_db`` fixture (not the mark) so the suite's teardown hook puts the
# reference org units back after the flush.


def _race(bids: list[Bid], unit: Any) -> tuple[int, int]:
    """Decide every bid at once, one thread each; (awarded, refused)."""
    barrier = threading.Barrier(len(bids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def award(bid: Bid) -> None:
        try:
            barrier.wait(timeout=10)
            try:
                actions.do_decide_bid(bid, actor=unit, outcome="approved", reason="race")
                result = "awarded"
            except ValidationError:
                result = "refused"
            with lock:
                outcomes.append(result)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=award, args=(b,)) for b in bids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes.count("awarded"), outcomes.count("refused")


def test_two_awards_at_once_one_succeeds_one_is_refused(
    transactional_db, national_analyst, kent_user, essex_user
):
    envelope = make_envelope(national_analyst, amount="50000.00")
    window = make_window(national_analyst, envelope)
    bids = [
        make_bid(window, kent_user, amount="30000.00"),
        make_bid(window, essex_user, amount="30000.00"),
    ]
    assert _race(bids, national_analyst) == (1, 1)
    pos = envelope.position()
    assert pos.committed == 3_000_000 and pos.uncommitted == 2_000_000
    assert Bid.objects.filter(status=BidStatus.SUBMITTED).count() == 1


def test_eight_awards_at_once_never_overdraw(transactional_db, national_analyst):
    envelope = make_envelope(national_analyst, amount="100000.00")
    window = make_window(national_analyst, envelope)
    forces = ["kent", "essex", "cleveland", "durham", "surrey", "sussex", "dorset", "gwent"]
    bids = [make_bid(window, national_analyst, amount="30000.00", orgunit=f) for f in forces]
    assert _race(bids, national_analyst) == (3, 5)
    assert envelope.position().committed == 9_000_000
