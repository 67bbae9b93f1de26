"""`make run`'s seed: today's demo exam has the demo paper and a candidate who can enter it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import runtime
from chalicelib.cli import load_stage
from chalicelib.config import load_settings
from chalicelib.devstack import MotoServer
from chalicelib.services import demo, exam
from chalicelib.storage import aws, provision
from tests.conftest import beijing


@pytest.fixture
def emulator() -> Iterator[None]:
    """A moto server, as `make run` uses (the seed refuses to run anywhere else)."""
    saved = dict(os.environ)
    with MotoServer() as moto:
        os.environ["AWS_ENDPOINT_URL"] = moto.url
        load_stage("local")
        runtime.reset()
        aws.reset_clients()
        for _ in provision.bootstrap(load_settings()):
            pass
        yield
    os.environ.clear()
    os.environ.update(saved)
    runtime.reset()
    aws.reset_clients()


def test_the_seed_opens_todays_exam_to_the_demo_candidate(emulator: None, travel: Any) -> None:
    travel(beijing(2026, 12, 1, 10))
    lines = list(demo.seed())
    assert any(demo.DEMO_CANDIDATE.id_number in line for line in lines)
    rt = runtime.current()
    by_date = {period.exam_date: period for period in rt.repo.list_periods()}
    assert len(by_date) == 2 and all(period.paper_key for period in by_date.values())
    session = exam.start_session(rt, {"id_number": demo.DEMO_CANDIDATE.id_number})
    paper = exam.candidate_paper(rt, exam.authenticate(rt, session.token))
    assert len(paper["questions"]) == 50
    assert paper["title"] == demo.demo_paper()["title"]


def test_seeding_twice_changes_nothing(emulator: None, travel: Any) -> None:
    travel(beijing(2026, 12, 1, 10))
    list(demo.seed())
    again = list(demo.seed())
    assert [line for line in again if line.startswith("seeded")] == []
