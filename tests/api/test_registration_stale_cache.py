"""The period cache is per container: a stale one never lets a registration through, nor refuses one."""

from __future__ import annotations

from chalicelib import runtime
from chalicelib.storage import keys
from chalicelib.storage.models import PeriodItem
from tests.api.conftest import body
from tests.conftest import beijing
from tests.support.people import person

PERIOD = {
    "name": "2026年12月",
    "exam_date": "2026-12-18",
    "exam_start": "09:00",
    "exam_end": "11:00",
    "notes": "",
}


def test_a_period_gone_from_the_table_refuses_registration_though_the_cache_still_has_it(api, travel):
    travel(beijing(2026, 12, 1))
    period_id = body(api.staff("POST", "/api/admin/periods", PERIOD))["period"]["id"]
    assert body(api.get("/api/today"))["mode"] == "register"  # cached now
    # Another container (or a fresh emulator) no longer has the period.
    PeriodItem(keys.PERIOD_PK, keys.period_sk(period_id)).delete()
    response = api.post("/api/registrations", person(1).registration())
    assert response.status_code == 409
    assert body(response)["error"]["code"] == "registration_closed"


def test_a_period_created_elsewhere_is_found_before_refusing(api, travel):
    travel(beijing(2026, 12, 1))
    assert body(api.get("/api/today"))["mode"] == "closed"  # the cache holds no period
    # Created through another container: this one's cache is not told.
    rt = runtime.current()
    from chalicelib.domain.periods import new_period
    from chalicelib.services.periods import new_period_id

    period = new_period(PERIOD, new_period_id, beijing(2026, 12, 1).date(), rt.calendar, [])
    rt.repo.create_period(period, beijing(2026, 12, 1))
    response = api.post("/api/registrations", person(1).registration())
    assert response.status_code == 201, response.body
