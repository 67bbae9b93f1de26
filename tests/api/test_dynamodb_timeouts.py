"""A DynamoDB that does not answer in time is a 503 the phone may retry, never a 500.

Found by the exam-day benchmark: on a busy emulator the app's 5-second read
timeout fired, and PynamoDB's `cause_response_code` raised AttributeError on an
error without a response, so candidates got 500s.
"""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api, body
from tests.api.test_registration import FIRST_EXAM, IN_FIRST_WINDOW, create_period
from tests.support.faults import dynamodb_times_out
from tests.support.people import person


def test_a_lookup_that_times_out_is_503(api: Api, travel: Any) -> None:
    travel(IN_FIRST_WINDOW)
    create_period(api, FIRST_EXAM)
    with dynamodb_times_out() as tried:
        response = api.post("/api/registrations/lookup", person(1).lookup())
    assert tried and set(tried) == {"UpdateItem"}  # the request is counted in first, and that times out
    assert response.status_code == 503
    assert body(response)["error"]["code"] == "unavailable"


def test_a_registration_that_times_out_is_503(api: Api, travel: Any) -> None:
    travel(IN_FIRST_WINDOW)
    create_period(api, FIRST_EXAM)
    assert api.get("/api/today").status_code == 200  # the periods are cached: only the write times out
    with dynamodb_times_out() as tried:
        response = api.post("/api/registrations", person(2).registration())
    # The read of the person's earlier attempts (has this ID number passed?) comes first.
    assert tried and set(tried) == {"Query"}  # botocore tries it again, then gives up
    assert response.status_code == 503
    assert body(response)["error"]["code"] == "unavailable"


def test_a_registration_whose_write_times_out_is_503_and_writes_nothing(api: Api, travel: Any) -> None:
    travel(IN_FIRST_WINDOW)
    create_period(api, FIRST_EXAM)
    assert api.get("/api/today").status_code == 200  # the periods are cached: only the write times out
    with dynamodb_times_out(only="TransactWriteItems") as tried:
        response = api.post("/api/registrations", person(2).registration())
    assert tried[0] == "Query" and set(tried[1:]) == {"TransactWriteItems"}
    assert response.status_code == 503
    assert body(response)["error"]["code"] == "unavailable"
    assert api.post("/api/registrations", person(2).registration()).status_code == 201  # nothing half written
