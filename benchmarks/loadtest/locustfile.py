"""Exam day and a registration rush, as phones do them, for Locust (`make loadtest`).

ExamCandidate: enter with ID number and name, fetch the paper, answer the
questions one by one with a pause between them (each answer saved as the page
saves it), submit. Each simulated candidate sits once, as in real life; the
people come from the CSV `ops/rehearsal.py` wrote (LOADTEST_PEOPLE).

RegistrationRush: register, then look the registration up, with synthetic
people numbered from LOADTEST_FIRST_SEQ (so several workers do not collide).

Run headless by `benchmarks/loadtest/run.py`; or by hand against a deployed
stage: `locust -f benchmarks/loadtest/locustfile.py --host https://... ExamCandidate`.
"""

from __future__ import annotations

import csv
import itertools
import os
import random
import threading
from typing import Any

from locust import HttpUser, between, events, task
from locust.exception import StopUser

# Seconds between two answers: a candidate reading an open-book question.
THINK = (float(os.environ.get("LOADTEST_THINK_MIN", "1")), float(os.environ.get("LOADTEST_THINK_MAX", "4")))

_people: list[dict[str, str]] = []
_next_person = itertools.count()
_lock = threading.Lock()


@events.init.add_listener
def _load_people(**_: Any) -> None:
    path = os.environ.get("LOADTEST_PEOPLE", "")
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            _people.extend(csv.DictReader(handle))


def _take_person() -> dict[str, str] | None:
    with _lock:
        index = next(_next_person)
    return _people[index] if index < len(_people) else None


class ExamCandidate(HttpUser):
    wait_time = between(*THINK)  # type: ignore[no-untyped-call]

    def on_start(self) -> None:
        person = _take_person()
        if person is None:
            raise StopUser()  # every listed candidate has sat the exam
        entry = self.client.post(
            "/api/exam/sessions",
            json={"id_number": person["id_number"], "name": person["name"]},
            name="POST /api/exam/sessions",
        )
        if entry.status_code != 201:
            raise StopUser()
        self.person = person
        self.headers = {"Authorization": f"Bearer {entry.json()['token']}"}
        paper = self.client.get("/api/exam/paper", headers=self.headers, name="GET /api/exam/paper").json()
        self.questions = list(paper["questions"])
        self.answers: dict[str, list[str]] = {}

    @task
    def answer_the_next_question(self) -> None:
        if not self.questions:
            self.client.post(
                "/api/exam/submit",
                json={
                    "name": self.person["name"],
                    "phone": self.person["phone"],
                    "email": self.person["email"],
                    "answers": self.answers,
                },
                headers=self.headers,
                name="POST /api/exam/submit",
            )
            raise StopUser()
        question = self.questions.pop(0)
        keys = list(question["options"])
        chosen = [random.choice(keys)] if question["type"] == "single" else sorted(random.sample(keys, 2))
        self.answers[question["id"]] = chosen
        self.client.put(
            "/api/exam/answers",
            json={"answers": {question["id"]: chosen}},
            headers=self.headers,
            name="PUT /api/exam/answers",
        )


class RegistrationRush(HttpUser):
    wait_time = between(1, 3)  # type: ignore[no-untyped-call]
    _seq = itertools.count(int(os.environ.get("LOADTEST_FIRST_SEQ", "20000")))

    @task
    def register_then_look_up(self) -> None:
        from ops.rehearsal import rehearsal_person

        with _lock:
            seq = next(self._seq)
        person = rehearsal_person(seq)
        self.client.post(
            "/api/registrations",
            json={
                "name": person.name,
                "id_number": person.id_number,
                "phone": person.phone,
                "email": person.email,
                "consent": True,
            },
            name="POST /api/registrations",
        )
        self.client.post(
            "/api/registrations/lookup",
            json={"id_number": person.id_number, "phone": person.phone},
            name="POST /api/registrations/lookup",
        )
