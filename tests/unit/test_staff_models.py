"""The item kinds defined off the cold start share the one bound connection, as the others do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pynamodb.attributes import UnicodeAttribute

from chalicelib.storage import models, staff_models


@pytest.fixture
def unbound() -> Iterator[None]:
    """Whatever these tests bind is forgotten after them: the next `bind` builds afresh."""
    adopted = list(models._adopted)
    yield
    models._adopted[:] = adopted
    models.unbind()


@pytest.mark.usefixtures("unbound")
def test_staff_kinds_are_bound_with_the_others_at_every_bind() -> None:
    kinds = [
        staff_models.LockItem,
        staff_models.ExportStateItem,
        staff_models.CityTemplateItem,
        staff_models.BankPointerItem,
        staff_models.AuditItem,
        staff_models.RightsRequestItem,
    ]
    for table in ("first-table", "second-table"):
        models.bind(table, "cn-north-1", "http://127.0.0.1:9")
        shared = models.RegistrationItem._connection
        assert shared is not None and shared.table_name == table
        for kind in kinds:
            assert kind.__dict__["_connection"] is shared, kind.__name__
            assert kind._get_connection() is shared


@pytest.mark.usefixtures("unbound")
def test_a_kind_adopted_after_the_bind_is_bound_at_once() -> None:
    models.bind("a-table", "cn-north-1", "http://127.0.0.1:9")

    class LateItem(models._TableItem):
        note = UnicodeAttribute()

    models.adopt(LateItem)
    assert LateItem.__dict__["_connection"] is models.RegistrationItem._connection
