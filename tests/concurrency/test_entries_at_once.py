"""Staff marking a period's passers entered at the same moment: each passer marked once, counted once.

Real HTTP to `chalice local` (requests served in threads, as by several Lambda
containers) in front of a real moto server answering one request at a time.
Two staff mark "all", one pastes the city system's list, one sends half the
ID numbers; afterwards the table, the counts and the audit trail must agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.services import export
from chalicelib.storage import keys
from chalicelib.storage.models import RegistrationItem
from tests.concurrency.test_submit_once import call
from tests.support.at_once import at_once
from tests.support.export_data import add_passers, add_result, contact, make_period
from tests.support.stack import Stack

pytestmark = [pytest.mark.server]

PASSERS = 20
ROUNDS = 3
ACTION = "POST /api/admin/periods/{period_id}/entries"


def all_at_once(
    stack: Stack, path: str, bodies: dict[str, Any], tokens: dict[str, str]
) -> dict[str, tuple[int, Any]]:
    """Each staff member's POST at the same moment; their answers by name (none where one hung)."""
    names = list(bodies)

    def mark(n: int) -> Any:
        return lambda: call(stack.url + path, "POST", bodies[names[n]], tokens[names[n]])

    replies = at_once(len(names), mark)
    return {name: reply for name, reply in zip(names, replies, strict=True) if reply is not None}


def test_staff_marking_entries_at_once_mark_each_passer_once_and_audit_each_request_once(
    stack: Stack,
) -> None:
    rt = stack.runtime()
    staff = ["甲老师", "乙老师", "丙老师", "丁老师"]
    # Before the server's first staff request: it reads the tokens once and keeps them a while.
    tokens = {name: rt.secrets.add_staff_token(name) for name in staff}
    for round_ in range(ROUNDS):
        # One period per exam date; each ended before today.
        exam_day = clock.today() - dt.timedelta(days=round_ + 1)
        period = make_period(rt, exam_day, period_id=f"entries{round_}")
        first = round_ * 1000
        passers = add_passers(rt, period, range(first, first + PASSERS))
        add_result(rt, period, contact(first + 999), score=40, offset_seconds=60)
        assert export.export_period(rt, period.id).count == PASSERS
        ids = [p.id_number for p in passers]
        pasted = "身份证号\n" + "\n".join(ids) + f"\n{contact(first + 999).id_number}\n"
        bodies = {
            "甲老师": {"all": True},
            "乙老师": {"text": pasted},
            "丙老师": {"all": True},
            "丁老师": {"id_numbers": ids[::2]},
        }
        listed = {"甲老师": PASSERS, "乙老师": PASSERS, "丙老师": PASSERS, "丁老师": PASSERS // 2}

        replies = all_at_once(stack, f"api/admin/periods/{period.id}/entries", bodies, tokens)

        assert {name: status for name, (status, _) in replies.items()} == dict.fromkeys(staff, 200), replies
        answers = {name: reply for name, (_, reply) in replies.items()}
        # Every passer is marked by exactly one request; each request accounts for all it listed.
        assert sum(a["marked"] for a in answers.values()) == PASSERS, answers
        for name, answer in answers.items():
            assert answer["marked"] + answer["already"] == listed[name], (name, answer)
        assert len(answers["乙老师"]["not_passers"]) == 1

        items = [
            RegistrationItem.get(keys.person_pk(rt.repo.id_hash(i)), keys.registration_sk(period.id))
            for i in ids
        ]
        assert all(item.entered_on == clock.today().isoformat() for item in items)
        by = Counter(item.entered_by for item in items)
        assert by == Counter({name: a["marked"] for name, a in answers.items() if a["marked"]}), by

        status, counted = call(
            stack.url + f"api/admin/periods/{period.id}/entries", "GET", token=tokens["甲老师"]
        )
        assert status == 200
        assert (counted["period"]["entered"], counted["period"]["outstanding"]) == (PASSERS, 0), counted

        status, trail = call(
            stack.url + f"api/admin/audit?since={clock.today().isoformat()}", "GET", token=tokens["甲老师"]
        )
        assert status == 200
        events = [
            e for e in trail["events"] if e["action"] == ACTION and e["record"].get("period_id") == period.id
        ]
        assert sorted(e["staff"] for e in events) == sorted(staff), events
        assert {e["staff"]: e["record"]["marked"] for e in events} == {
            name: str(a["marked"]) for name, a in answers.items()
        }
