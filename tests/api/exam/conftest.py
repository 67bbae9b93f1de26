"""Exam API tests: an exam day (a period examining 2026-12-18 09:00-11:00, its paper
uploaded), and small probes of the AWS calls a request makes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib import clock, runtime
from chalicelib.domain.identity import Contact
from chalicelib.domain.periods import Period
from chalicelib.storage import aws
from tests.api.conftest import Api, body
from tests.conftest import beijing
from tests.support.exam_data import exam_period, paper_document, person, register

EXAM_DAY = dt.date(2026, 12, 18)  # a Friday


@dataclass
class ExamDay:
    api: Api
    period: Period
    travel: Any

    def at(self, hour: int, minute: int = 0, second: int = 0) -> None:
        """Move the clock to a time of the exam day."""
        self.travel(dt.datetime.combine(EXAM_DAY, dt.time(hour, minute, second), tzinfo=clock.BEIJING))

    def register(self, n: int, period: Period | None = None) -> Contact:
        contact = person(n)
        register(runtime.current(), period or self.period, contact)
        return contact

    def enter(self, contact: Contact) -> str:
        response = self.api.post("/api/exam/sessions", {"id_number": contact.id_number, "name": contact.name})
        assert response.status_code == 201, response.body
        token: str = body(response)["token"]
        return token

    def submit(self, token: str, contact: Contact, answers: dict[str, list[str]], **details: str) -> Any:
        sent = {"name": contact.name, "phone": contact.phone, "email": contact.email, **details}
        return self.api.post("/api/exam/submit", {**sent, "answers": answers}, token=token)

    def later_period(self, suffix: str = "next") -> Period:
        """The next month's period, to register for after this exam."""
        return exam_period(runtime.current(), dt.date(2027, 1, 15), suffix=suffix)


@pytest.fixture
def exam_day(api: Api, travel: Any) -> Iterator[ExamDay]:
    travel(beijing(2026, 12, 1, 10))
    period = exam_period(runtime.current(), EXAM_DAY)
    uploaded = api.staff("PUT", f"/api/admin/periods/{period.id}/paper", paper_document())
    assert uploaded.status_code == 200, uploaded.body
    yield ExamDay(api=api, period=runtime.current().periods.get(period.id), travel=travel)


class S3Calls:
    """Counts calls made through the shared S3 client (botocore's event hooks, no patching)."""

    def __init__(self) -> None:
        self.count = 0
        client = aws.client("s3", runtime.current().settings.region)
        client.meta.events.register("before-call.s3.*", self._seen, unique_id="test-s3-calls")

    def _seen(self, **_: Any) -> None:
        self.count += 1


class DynamoOperations:
    """The names of the DynamoDB operations made while it is attached."""

    def __init__(self) -> None:
        self.names: list[str] = []
        runtime.current()  # binds the models, which builds the shared client
        from chalicelib.storage.models import RegistrationItem

        client = RegistrationItem._get_connection().connection.client
        client.meta.events.register("before-call.dynamodb.*", self._seen, unique_id="test-dynamodb-ops")

    def _seen(self, model: Any, **_: Any) -> None:
        self.names.append(model.name)
