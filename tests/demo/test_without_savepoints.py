"""On PostgreSQL the demo's one transaction opens no savepoint for the atomic blocks nested
in it (``msoic.demo.build.without_savepoints``): a failure inside one fails the whole
transaction, and the setting is the connection's own again afterwards. (SQLite decides
savepoints without the feature flag, and they cost it nothing: its demo keeps them.)"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from msoic.demo.build import without_savepoints
from msoic.orgunits.models import OrgUnit

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="savepoints are PostgreSQL subtransactions"
)


@postgres_only
def test_nested_blocks_open_no_savepoint_inside_it(db):
    with transaction.atomic(), without_savepoints():
        depth = len(connection.savepoint_ids)
        with transaction.atomic():
            # Django records a nested block without a savepoint as None.
            assert connection.savepoint_ids[depth:] == [None]
            OrgUnit.objects.filter(kind="national").update(name="Nation renamed")
        assert OrgUnit.objects.get(kind="national").name == "Nation renamed"
    assert connection.features.uses_savepoints is True
    with transaction.atomic():
        assert connection.savepoint_ids[-1] is not None


@postgres_only
def test_a_failure_in_a_nested_block_fails_the_whole_transaction(db):
    before = OrgUnit.objects.get(kind="national").name
    with pytest.raises(ValueError), transaction.atomic(), without_savepoints():
        OrgUnit.objects.filter(kind="national").update(name="Nation renamed")
        try:
            with transaction.atomic():
                raise ValueError("a stage failed")
        except ValueError:
            pass
        # No savepoint to go back to: the transaction can only be rolled back now.
        with pytest.raises(transaction.TransactionManagementError):
            OrgUnit.objects.count()
        raise ValueError("the demo stops")
    assert OrgUnit.objects.get(kind="national").name == before
    assert connection.features.uses_savepoints is True


@postgres_only
def test_the_setting_comes_back_when_the_block_raises(db):
    with pytest.raises(DatabaseError), transaction.atomic(), without_savepoints():
        raise DatabaseError("boom")
    assert connection.features.uses_savepoints is True
    assert "uses_savepoints" not in vars(connection.features)


def test_it_refuses_outside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError, match="inside a transaction"), without_savepoints():
        pass
