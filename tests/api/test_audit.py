"""Every staff write, export and full-detail view lands in the audit trail, which admins page through."""

from __future__ import annotations

from chalicelib import runtime
from chalicelib.domain.staff import Role
from chalicelib.storage import audit
from tests.api.conftest import body
from tests.api.test_registration import FIRST_EXAM, IN_FIRST_WINDOW, create_period, register
from tests.conftest import beijing
from tests.support.people import person


def events(api, **query):
    path = "/api/admin/audit?" + "&".join(f"{k}={v}" for k, v in query.items())
    response = api.staff("GET", path)
    assert response.status_code == 200, response.body
    return body(response)


def test_writes_and_full_views_are_recorded_with_who_what_and_which_record(api, travel):
    travel(IN_FIRST_WINDOW)
    period = create_period(api, FIRST_EXAM)
    assert register(api, person(1)).status_code == 201
    api.staff("GET", "/api/admin/periods")  # a list without personal data: not recorded
    api.staff("GET", f"/api/admin/periods/{period['id']}/registrations")
    viewer = runtime.current().secrets.add_staff_token("王同学", Role.VIEWER)
    api.get(f"/api/admin/periods/{period['id']}/registrations", token=viewer)  # masked: not recorded
    page = events(api, since="2026-09-01")
    actions = sorted((e["staff"], e["action"], e["record"]) for e in page["events"])
    assert actions == [
        ("tester", "GET /api/admin/periods/{period_id}/registrations", {"period_id": period["id"]}),
        ("tester", "POST /api/admin/periods", {}),
    ]
    assert page["cursor"] is None
    assert page["events"][0]["at"].startswith("2026-09-01T09:00")
    assert person(1).id_number not in str(page)


def test_a_refused_write_is_not_recorded_and_the_filter_by_staff_works(api, travel):
    travel(IN_FIRST_WINDOW)
    create_period(api, FIRST_EXAM)
    operator = runtime.current().secrets.add_staff_token("李老师", Role.OPERATOR)
    assert api.post("/api/admin/periods", {}, token=operator).status_code == 422
    assert api.get("/api/admin/audit", token=operator).status_code == 403
    assert events(api, since="2026-09-01", staff="李老师")["events"] == []
    assert len(events(api, since="2026-09-01", staff="tester")["events"]) == 1


def test_the_trail_pages_by_cursor_across_days_without_a_scan(api, travel):
    for day in (1, 3):
        for minute in range(audit.PAGE_SIZE - 10):
            travel(beijing(2026, 9, day, 9, minute))
            audit.record(
                audit.AuditEvent(at=beijing(2026, 9, day, 9, minute), staff="张", role="admin", action="x")
            )
    travel(beijing(2026, 9, 5, 9))
    seen, cursor, pages = [], None, 0
    while True:
        query = {"since": "2026-09-01", **({"cursor": cursor} if cursor else {})}
        page = events(api, **query)
        seen += page["events"]
        pages += 1
        cursor = page["cursor"]
        if cursor is None:
            break
    assert len(seen) == 2 * (audit.PAGE_SIZE - 10) and pages == 2
    assert [e["at"] for e in seen] == sorted(e["at"] for e in seen)


def test_bad_queries_are_422(api):
    for query in ("since=yesterday", "cursor=nonsense", "staff=" + "x" * 41):
        response = api.staff("GET", f"/api/admin/audit?{query}")
        assert response.status_code == 422, query


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_every_download_of_the_bank_is_recorded_because_it_holds_the_answer_key(api, travel):
    from tests.api.test_download_links import link_for, open_plain
    from tests.support.bank_data import bank_items

    travel(IN_FIRST_WINDOW)
    imported = api.staff("PUT", "/api/admin/bank", {"items": bank_items()})
    assert imported.status_code == 200, imported.body
    version = body(api.staff("GET", "/api/admin/bank"))["version"]
    operator = runtime.current().secrets.add_staff_token("李老师", Role.OPERATOR)
    # With the token (an operator, who sees no personal data but does see every key) ...
    assert api.get("/api/admin/bank.xlsx", token=operator, headers={"Accept": XLSX}).status_code == 200
    # ... and from a signed link, as the console downloads it: recorded under the link's holder.
    assert open_plain(api, link_for(api, "api/admin/bank.xlsx", token=operator)).status_code == 200
    mine = events(api, since="2026-09-01", staff="李老师")["events"]
    downloads = [e for e in mine if e["action"] == "GET /api/admin/bank.xlsx"]
    assert [(e["role"], e["record"]) for e in downloads] == [
        ("operator", {"bank_version": version, "items": "70"}),
        ("operator", {"bank_version": version, "items": "70"}),
    ]
    # Reading the bank's other files (its template) stays unrecorded, as before.
    assert api.get("/api/admin/paper-template.json", token=operator).status_code == 200
    assert len(events(api, since="2026-09-01", staff="李老师")["events"]) == len(mine)


def test_every_view_of_an_answer_key_is_recorded_the_bank_and_the_paper_preview(api, travel):
    from tests.api.test_paper_workbook import PERIOD, filled, upload
    from tests.support.bank_data import bank_items
    from tests.unit.test_paper_sheet import fifty

    travel(beijing(2026, 12, 1))
    period_id = body(api.staff("POST", "/api/admin/periods", PERIOD))["period"]["id"]
    assert upload(api, period_id, filled(api, fifty())).status_code == 200
    assert api.staff("PUT", "/api/admin/bank", {"items": bank_items()}).status_code == 200
    operator = runtime.current().secrets.add_staff_token("李老师", Role.OPERATOR)
    preview = api.get(f"/api/admin/periods/{period_id}/paper/preview", token=operator)
    assert preview.status_code == 200 and body(preview)["answers"]["s1"] == ["B"]
    bank = api.get("/api/admin/bank", token=operator)
    assert bank.status_code == 200
    # A preview of a period without a paper shows no key: refused, and not recorded.
    empty = body(api.staff("POST", "/api/admin/periods", {**PERIOD, "exam_date": "2026-12-25"}))["period"][
        "id"
    ]
    assert api.get(f"/api/admin/periods/{empty}/paper/preview", token=operator).status_code == 404
    mine = events(api, since="2026-12-01", staff="李老师")["events"]
    assert sorted((e["action"], e["role"], e["record"]) for e in mine) == [
        ("GET /api/admin/bank", "operator", {"bank_version": body(bank)["version"], "items": "70"}),
        (
            "GET /api/admin/periods/{period_id}/paper/preview",
            "operator",
            {"period_id": period_id, "questions": "50"},
        ),
    ]
