"""Overlapping exports against a real moto server: every passer is e-mailed exactly once.

Scheduled runs, staff routes (through `chalice local`) and the CLI's code path
all start at the same moment; the period's lease lets one through, and the
watermark keeps later runs from sending anyone again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import urllib.error
import urllib.request
from collections import Counter
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.services import export
from chalicelib.storage.exports import PasserStore
from tests.support import mailbox
from tests.support.at_once import at_once
from tests.support.export_data import add_passers, make_period
from tests.support.stack import Stack

pytestmark = pytest.mark.server


def post_export(stack: Stack, period_id: str) -> Any:
    request = urllib.request.Request(
        f"{stack.url}api/admin/periods/{period_id}/export",
        data=b"",
        method="POST",
        headers={"Authorization": f"Bearer {stack.staff_token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def exported_ids(region: str) -> Counter[str]:
    seen: Counter[str] = Counter()
    for message in mailbox.raw_emails(region):
        _, data = mailbox.attachment(message, "csv")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        seen.update(row[2] for row in rows[1:])
    return seen


def run_all_at_once(stack: Stack, period_id: str) -> list[Any]:
    rt = stack.runtime()

    def in_process() -> Any:
        try:
            return ("direct", export.export_period(rt, period_id).count)
        except export.ExportRunning:
            return ("direct", "running")

    def scheduled() -> Any:
        summary = export.export_passers(rt)
        return ("scheduled", sum(result.count for result in summary.exported))

    def over_http() -> Any:
        status, body = post_export(stack, period_id)
        return ("http", body["export"]["count"] if status == 200 else body["error"]["code"])

    runners = (in_process, in_process, scheduled, scheduled, over_http, over_http)
    outcomes = at_once(len(runners), lambda n: runners[n])
    assert None not in outcomes, outcomes
    return outcomes


def test_overlapping_exports_send_each_passer_exactly_once(stack: Stack) -> None:
    rt = stack.runtime()
    exam_day = clock.today() - dt.timedelta(days=1)
    period = make_period(rt, exam_day)
    first = add_passers(rt, period, range(25))

    outcomes = run_all_at_once(stack, period.id)

    counts = [outcome for _, outcome in outcomes if isinstance(outcome, int)]
    assert sum(counts) == 25, outcomes
    assert all(o in (0, 25, "running", "export_running") for _, o in outcomes), outcomes
    seen = exported_ids(rt.settings.ses_region)
    assert seen == Counter({person.id_number: 1 for person in first})

    # More passers arrive in order after the first export; a second overlapping round sends only them.
    later = add_passers(rt, period, range(100, 110))
    for offset, person in enumerate(later):
        assert person.id_number not in seen, offset
    outcomes = run_all_at_once(stack, period.id)

    assert sum(o for _, o in outcomes if isinstance(o, int)) == 10, outcomes
    seen = exported_ids(rt.settings.ses_region)
    assert seen == Counter({person.id_number: 1 for person in [*first, *later]})
    state = PasserStore().state(period.id)
    assert state.exported == 35 and not state.unmarked
    assert all(
        r.exported_at is not None for p in [*first, *later] for r in rt.repo.registrations_of(p.id_number)
    )
