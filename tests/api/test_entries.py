"""Passers marked as entered into the city's system: by list, pasted, uploaded, or all; counted; audited."""

from __future__ import annotations

import base64
import datetime as dt
import io
from typing import Any

import pytest

from chalicelib import runtime
from chalicelib.domain.identity import mask_id_number
from chalicelib.domain.staff import Role
from chalicelib.services import export
from chalicelib.storage import keys
from chalicelib.storage.models import RegistrationItem
from tests.api.conftest import body
from tests.conftest import beijing
from tests.support import mailbox
from tests.support.export_data import add_passers, add_result, contact, make_period

EXAM_DAY = dt.date(2026, 12, 18)  # a Friday; the deadline is Friday 25th
EVENING = beijing(2026, 12, 18, 19)
NEXT_MONDAY = beijing(2026, 12, 21, 10)


@pytest.fixture
def period(rt: Any, travel: Any) -> Any:
    travel(beijing(2026, 12, 18, 12))
    return make_period(rt, EXAM_DAY)


@pytest.fixture
def exported(rt: Any, period: Any, travel: Any) -> list[Any]:
    """Three passers exported on the exam's evening, a fourth who failed; then the next Monday."""
    people = add_passers(rt, period, range(3))
    add_result(rt, period, contact(9), score=40, offset_seconds=30)
    travel(EVENING)
    [result] = export.export_passers(rt).exported
    assert result.marked == 3
    travel(NEXT_MONDAY)
    return people


def path(period: Any) -> str:
    return f"/api/admin/periods/{period.id}/entries"


def item(rt: Any, period: Any, id_number: str) -> RegistrationItem:
    return RegistrationItem.get(keys.person_pk(rt.repo.id_hash(id_number)), keys.registration_sk(period.id))


def entry_state(rt: Any, period: Any, id_number: str) -> tuple[str | None, str | None]:
    found = item(rt, period, id_number)
    return found.entered_on, found.entered_by


def test_a_pasted_list_marks_its_passers_and_reports_the_one_that_is_no_passer(rt, api, period, exported):
    first, second, third = exported
    failed = contact(9)
    stranger = contact(77)  # registered for nothing
    spaced = f"{second.id_number[:6]} {second.id_number[6:14]} {second.id_number[14:]}"
    text = f"身份证号\n{first.id_number}\n{spaced}\n\n{failed.id_number}，{stranger.id_number}\n"

    response = api.staff("POST", path(period), {"text": text, "entered_on": "2026-12-21"})

    assert response.status_code == 200
    answer = body(response)
    assert (answer["marked"], answer["already"], answer["unreadable"]) == (2, 0, [])
    assert answer["not_passers"] == [
        {"line": 5, "id_number_masked": mask_id_number(failed.id_number)},
        {"line": 5, "id_number_masked": mask_id_number(stranger.id_number)},
    ]
    assert failed.id_number not in response.body.decode() and stranger.id_number not in response.body.decode()
    assert answer["period"]["passers"] == 3 and answer["period"]["entered"] == 2
    assert answer["period"]["outstanding"] == 1 and answer["period"]["deadline"] == "2026-12-25"
    assert entry_state(rt, period, first.id_number) == ("2026-12-21", "tester")
    assert entry_state(rt, period, second.id_number) == ("2026-12-21", "tester")
    # Nothing else changed: the third passer, the failed candidate, the stranger.
    assert entry_state(rt, period, third.id_number) == (None, None)
    assert entry_state(rt, period, failed.id_number) == (None, None)
    with pytest.raises(RegistrationItem.DoesNotExist):
        item(rt, period, stranger.id_number)


def test_marking_again_is_idempotent_and_keeps_the_first_date(rt, api, period, exported, travel):
    first, second, _ = exported
    ids = [first.id_number, second.id_number]
    assert (
        body(api.staff("POST", path(period), {"id_numbers": ids, "entered_on": "2026-12-21"}))["marked"] == 2
    )
    travel(NEXT_MONDAY + dt.timedelta(days=1))

    again = body(api.staff("POST", path(period), {"id_numbers": [*ids, first.id_number]}))

    assert (again["marked"], again["already"], again["repeated"], again["not_passers"]) == (0, 2, 1, [])
    assert entry_state(rt, period, first.id_number)[0] == "2026-12-21"


def test_mark_all_marks_every_exported_passer_not_entered_yet(rt, api, period, exported):
    first, *_ = exported
    api.staff("POST", path(period), {"id_numbers": [first.id_number], "entered_on": "2026-12-19"})

    answer = body(api.staff("POST", path(period), {"all": True}))

    assert (answer["marked"], answer["already"], answer["entered_on"]) == (2, 1, "2026-12-21")
    assert answer["period"]["outstanding"] == 0 and answer["period"]["entered"] == 3
    assert entry_state(rt, period, first.id_number)[0] == "2026-12-19"
    assert body(api.staff("POST", path(period), {"all": True}))["marked"] == 0


def test_a_passer_not_yet_exported_is_not_marked(rt, api, period, exported):
    late = add_result(rt, period, contact(20), score=90, offset_seconds=40)  # e.g. a reopened attempt
    answer = body(api.staff("POST", path(period), {"id_numbers": [late.contact.id_number]}))
    assert answer["marked"] == 0 and len(answer["not_passers"]) == 1
    all_answer = body(api.staff("POST", path(period), {"all": True}))
    assert all_answer["marked"] == 3
    assert all_answer["period"]["not_exported"] == 1 and all_answer["period"]["outstanding"] == 1
    assert entry_state(rt, period, late.contact.id_number) == (None, None)


def xlsx_upload(rows: list[list[object]]) -> dict[str, str]:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return {"name": "结果.xlsx", "content_base64": base64.b64encode(buffer.getvalue()).decode()}


def test_an_uploaded_result_workbook_marks_by_its_id_number_column(rt, api, period, exported):
    first, second, _ = exported
    upload = xlsx_upload(
        [
            ["市人力资源市场管理信息系统 导入结果"],
            ["序号", "姓名", "公民身份号码", "结果"],
            [1, first.name, first.id_number, "成功"],
            [2, second.name, "11010119900101123", "失败"],  # one character short
        ]
    )
    answer = body(api.staff("POST", path(period), {"file": upload}))
    assert (answer["marked"], answer["unreadable"], answer["not_passers"]) == (1, [4], [])
    assert entry_state(rt, period, first.id_number)[0] == "2026-12-21"


def test_an_uploaded_gb18030_csv_is_read(rt, api, period, exported):
    first, *_ = exported
    data = f"姓名,身份证号码\n{first.name},{first.id_number}\n".encode("gb18030")
    upload = {"name": "result.csv", "content_base64": base64.b64encode(data).decode()}
    assert body(api.staff("POST", path(period), {"file": upload}))["marked"] == 1


@pytest.mark.parametrize(
    ("payload", "status", "code", "field"),
    [
        ({}, 422, "invalid", "all"),
        ({"all": True, "text": "x"}, 422, "invalid", "all"),
        ({"all": "yes"}, 422, "invalid", "all"),
        ({"id_numbers": "110101"}, 422, "invalid", "id_numbers"),
        ({"text": "身份证号\n张三"}, 422, "entries_invalid", "text"),
        ({"text": "110101199001011230"}, 422, "entries_invalid", "text"),  # a wrong check character
        ({"all": True, "entered_on": "2026-12-22"}, 422, "invalid", "entered_on"),  # tomorrow
        ({"all": True, "entered_on": "2026-12-17"}, 422, "invalid", "entered_on"),  # before the exam
        ({"all": True, "entered_on": "21/12/2026"}, 422, "invalid", "entered_on"),
        ({"file": {"name": "a.xls", "content_base64": "0M8R4KGxGuE="}}, 422, "entries_invalid", "file"),
        ({"file": {"name": "a.xlsx", "content_base64": "not base64!"}}, 422, "entries_invalid", "file"),
        ({"file": "abc"}, 422, "entries_invalid", "file"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(rt, api, period, exported, payload, status, code, field):
    response = api.staff("POST", path(period), payload)
    assert response.status_code == status
    assert body(response)["error"]["code"] == code and body(response)["error"]["field"] == field
    assert all(entry_state(rt, period, p.id_number) == (None, None) for p in exported)


def test_an_unknown_period_is_404(api):
    assert api.staff("POST", "/api/admin/periods/nope/entries", {"all": True}).status_code == 404
    assert api.staff("GET", "/api/admin/periods/nope/entries").status_code == 404


def test_a_viewer_may_see_the_counts_but_not_mark(rt, api, period, exported):
    viewer = runtime.current().secrets.add_staff_token("王同学", Role.VIEWER)
    refused = api.post(path(period), {"all": True}, token=viewer)
    assert refused.status_code == 403 and body(refused)["error"]["code"] == "forbidden"
    assert all(entry_state(rt, period, p.id_number) == (None, None) for p in exported)
    counts = body(api.get(path(period), token=viewer))["period"]
    assert (counts["exported"], counts["entered"], counts["outstanding"]) == (3, 0, 3)
    operator = runtime.current().secrets.add_staff_token("李老师", Role.OPERATOR)
    assert body(api.post(path(period), {"all": True}, token=operator))["marked"] == 3
    assert entry_state(rt, period, exported[0].id_number) == ("2026-12-21", "李老师")


def test_marking_is_audited_with_counts_and_no_id_number(rt, api, period, exported):
    first, *_ = exported
    api.staff("POST", path(period), {"id_numbers": [first.id_number, contact(77).id_number]})
    events = body(api.staff("GET", "/api/admin/audit?since=2026-12-21"))["events"]
    [event] = [e for e in events if e["action"] == "POST /api/admin/periods/{period_id}/entries"]
    assert event["staff"] == "tester"
    assert event["record"]["period_id"] == period.id
    assert (event["record"]["marked"], event["record"]["not_passers"], event["record"]["mode"]) == (
        "1",
        "1",
        "id_numbers",
    )
    assert first.id_number not in str(events)


def test_the_overview_lists_ended_periods_with_counts_and_deadline(rt, api, period, exported):
    make_period(rt, dt.date(2027, 1, 15), name="2027年1月考试")  # not held yet: not listed
    api.staff("POST", path(period), {"id_numbers": [exported[0].id_number]})
    [row] = body(api.staff("GET", "/api/admin/entries"))["periods"]
    assert row["period"]["id"] == period.id
    assert (row["passers"], row["exported"], row["entered"], row["outstanding"]) == (3, 3, 1, 2)
    assert row["deadline"] == "2026-12-25" and row["late"] is False and row["ended"] is True


# The deadline warning ------------------------------------------------------------------


def warnings_sent(rt: Any) -> list[Any]:
    return [m for m in mailbox.text_emails(rt.settings.ses_region) if "未录入市系统" in m.subject]


def test_the_warning_fires_on_the_fourth_working_day_for_the_outstanding_passers_only(
    rt, api, period, exported, travel
):
    first, second, third = exported
    api.staff("POST", path(period), {"id_numbers": [first.id_number, second.id_number]})
    travel(beijing(2026, 12, 23, 19))  # the 3rd working day: not yet
    assert export.export_passers(rt).warned == []
    assert warnings_sent(rt) == []

    travel(beijing(2026, 12, 24, 19))  # the 4th working day
    summary = export.export_passers(rt)

    assert summary.warned == [period.id] and summary.exported == []
    [warning] = warnings_sent(rt)
    assert warning.to == ["staff@hr-exam.local"]
    assert "尚有 1 名通过人员未录入市系统" in warning.subject and "临近" in warning.subject
    assert "尚未录入市系统：1 人" in warning.body and "已录入市系统 2 人" in warning.body
    assert "2026年12月25日" in warning.body and "尚未导出" not in warning.body
    assert third.id_number not in warning.body and first.id_number not in warning.body

    # It comes again every run (past the deadline too) until the last one is entered.
    travel(beijing(2026, 12, 28, 19))
    assert export.export_passers(rt).warned == [period.id]
    assert "已超过" in warnings_sent(rt)[-1].subject
    api.staff("POST", path(period), {"id_numbers": [third.id_number]})
    travel(beijing(2026, 12, 29, 19))
    assert export.export_passers(rt).warned == []
    assert len(warnings_sent(rt)) == 2


def test_the_warning_counts_passers_not_yet_exported_as_outstanding(rt, api, period, exported, travel):
    api.staff("POST", path(period), {"all": True})
    # A passer recorded after the export (a reopened attempt), whose export keeps failing.
    add_result(rt, period, contact(20), score=90, offset_seconds=40)
    failing = rt.passer_store()
    assert failing.acquire_lease(period.id, "stuck-run", beijing(2026, 12, 24, 19), dt.timedelta(days=2))
    travel(beijing(2026, 12, 24, 19))

    summary = export.export_passers(rt)

    assert summary.skipped == [period.id] and summary.warned == [period.id]
    [warning] = warnings_sent(rt)
    assert "尚有 1 名" in warning.subject
    assert "其中尚未导出：1 人" in warning.body and "另一次导出正在进行" in warning.body


def test_no_warning_when_every_passer_is_entered(rt, api, period, exported, travel):
    api.staff("POST", path(period), {"all": True})
    travel(beijing(2026, 12, 24, 19))
    assert export.export_passers(rt).warned == []
    assert warnings_sent(rt) == []


def test_the_lookup_shows_the_entry_date_of_an_entered_passer_only(rt, api, period, exported):
    first, second, _ = exported
    api.staff("POST", path(period), {"id_numbers": [first.id_number], "entered_on": "2026-12-19"})

    def entered_on(person: Any) -> Any:
        answer = api.post("/api/registrations/lookup", {"id_number": person.id_number, "phone": person.phone})
        [registration] = body(answer)["registrations"]
        return registration["status"], registration["entered_on"]

    assert entered_on(first) == ("passed", "2026-12-19")
    assert entered_on(second) == ("passed", None)
    assert entered_on(contact(9)) == ("failed", None)


def test_the_faq_explains_the_five_working_days_and_where_to_see_the_entry(api):
    page = api.get("/faq").body.decode("utf-8")
    assert 'id="entered"' in page and "考试后 5 个工作日内录入" in page
    assert "不含周末和法定节假日" in page and "已录入市系统（录入日期）" in page


@pytest.mark.parametrize(
    "data",
    [b"\x00\x00\x00\x00", b"PK\x03\x04broken", b"a," * 70_000, "身份证号\n".encode("utf-16")],
    ids=["nul", "broken-xlsx", "wide", "utf-16"],
)
def test_a_file_that_cannot_be_read_is_a_422_never_a_500(rt, api, period, exported, data):
    upload = {"name": "result.csv", "content_base64": base64.b64encode(data).decode()}
    response = api.staff("POST", path(period), {"file": upload})
    assert response.status_code == 422
    assert body(response)["error"]["code"] == "entries_invalid"


def entry_warnings(api: Any) -> list[dict[str, Any]]:
    response = api.staff("GET", "/api/admin/warnings")
    assert response.status_code == 200
    return [w for w in body(response)["warnings"] if w["code"] == "entries_outstanding"]


def test_the_console_warns_from_the_4th_working_day_with_the_outstanding_count(
    rt, api, period, exported, travel
):
    first, *_ = exported
    api.staff("POST", path(period), {"id_numbers": [first.id_number]})
    travel(beijing(2026, 12, 23, 9))  # the 3rd working day after Friday's exam
    assert entry_warnings(api) == []

    travel(beijing(2026, 12, 24, 9))  # the 4th: the day the deadline e-mail starts
    [warning] = entry_warnings(api)
    assert warning == {
        "code": "entries_outstanding",
        "period_id": period.id,
        "outstanding": 2,
        "deadline": "2026-12-25",
        "late": False,
        "message": "「2026年12月考试」还有 2 名通过人员尚未录入市系统，录入截止 2026年12月25日。"
        "录入后请在「录入市系统」中标记。",
    }
    assert first.id_number not in str(warning)

    # A passer not yet exported is outstanding too, and said so.
    add_result(rt, period, contact(20), score=90, offset_seconds=40)
    travel(beijing(2026, 12, 28, 9))
    [late] = entry_warnings(api)
    assert (late["outstanding"], late["late"]) == (3, True)
    assert "还有 3 名" in late["message"] and "其中 1 名尚未导出" in late["message"]
    assert "已超期" in late["message"]

    api.staff("POST", path(period), {"all": True})
    [left] = entry_warnings(api)
    assert left["outstanding"] == 1  # the unexported one: "all" marks exported passers only


def test_no_entry_warning_once_every_passer_is_entered(rt, api, period, exported, travel):
    api.staff("POST", path(period), {"all": True})
    travel(beijing(2026, 12, 28, 9))
    assert entry_warnings(api) == []


def test_old_15_digit_numbers_in_the_city_system_s_result_mark_their_passers(rt, api, period, exported):
    first, second, third = exported
    old_first, old_second = (p.id_number[:6] + p.id_number[8:17] for p in (first, second))
    text = f"身份证号码\n{old_first}\n{old_second}\n{third.id_number}\n"

    answer = body(api.staff("POST", path(period), {"text": text}))

    assert (answer["marked"], answer["unreadable"], answer["not_passers"]) == (3, [], [])
    assert entry_state(rt, period, first.id_number) == ("2026-12-21", "tester")
    assert answer["period"]["outstanding"] == 0
