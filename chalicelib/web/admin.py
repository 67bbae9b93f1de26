"""Staff routes under /api/admin: periods, papers, registrations, statistics, export, QR.

Every route here is reached only after the middleware has checked the staff
bearer token and that its role is at least the route's `role`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from chalice.app import Blueprint, Response

from chalicelib import runtime
from chalicelib.domain.errors import Invalid
from chalicelib.domain.staff import Role
from chalicelib.web.http import (
    attachment,
    bearer_token,
    json_body,
    json_response,
    no_content,
    route,
    signed_download,
)
from chalicelib.web.pages import public_entry_url, site_root

bp = Blueprint(__name__)
# Each route imports its service where it runs: Chalice needs every route registered at import,
# but a cold start (nearly always a candidate's) never needs the staff side's services, their
# stores and domain rules (tests/packaging/test_cold_start.py keeps them off it).

# The workbook's content type (also in app.api.binary_types, so its bytes arrive intact).
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@route(bp, "/api/admin/periods", methods=["POST"], role=Role.OPERATOR)
def create_period() -> Response:
    """Create a period; the registration window defaults from the working-day calendar."""
    from chalicelib.services import periods

    period = periods.create_period(runtime.current(), json_body(bp.current_request))
    return json_response({"period": period.public()}, status=201)


@route(bp, "/api/admin/periods", methods=["GET"], role=Role.VIEWER)
def list_periods() -> Response:
    """Every period, by exam date."""
    from chalicelib.services import periods

    return json_response({"periods": periods.list_periods(runtime.current())})


@route(bp, "/api/admin/periods/{period_id}", methods=["PATCH"], role=Role.OPERATOR)
def correct_period(period_id: str) -> Response:
    """Correct a period: any of its fields, validated as at creation; a new exam time is e-mailed."""
    from chalicelib.services import periods

    period, notified = periods.correct_period(runtime.current(), period_id, json_body(bp.current_request))
    return json_response({"period": period.public(), "notified": notified})


@route(bp, "/api/admin/periods/{period_id}", methods=["DELETE"], role=Role.OPERATOR)
def delete_period(period_id: str) -> Response:
    """Delete a period created by mistake, while nobody has registered for it."""
    from chalicelib.services import periods

    periods.delete_period(runtime.current(), period_id)
    return Response(body="", status_code=204)


@route(bp, "/api/admin/periods/{period_id}/paper", methods=["PUT"], role=Role.OPERATOR)
def put_paper(period_id: str) -> Response:
    """Upload the period's paper: validated, stored in S3 under a new key, recorded on the period.

    Replacing it is refused once the exam has started (409 paper_locked),
    unless the period has no paper yet.
    """
    from chalicelib.services import papers

    request = bp.current_request
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type == XLSX_TYPE:
        raw = request.raw_body or b""
        data = raw.encode() if isinstance(raw, str) else raw
        stored = papers.upload_workbook(runtime.current(), period_id, data)
    else:
        stored = papers.upload_paper(runtime.current(), period_id, json_body(request))
    paper = stored.paper.pool
    return json_response(
        {
            "paper": {
                "questions": len(paper.questions),
                "total_points": paper.total_points,
                "pass_mark": paper.pass_mark,
                "title": paper.title,
                "key": stored.key,
            }
        }
    )


@route(bp, "/api/admin/periods/{period_id}/paper/preview", methods=["GET"], role=Role.OPERATOR, audited=True)
def preview_paper(period_id: str) -> Response:
    """The paper exactly as candidates will see it, plus the answer key: each view is audited
    (which paper, how many questions), as a download of the bank's keys is."""
    from chalicelib.services import papers

    shown = papers.preview(runtime.current(), period_id)
    bp.current_request.context["audit_record"] = {"questions": str(shown["questions"])}
    return json_response(shown)


@route(bp, "/api/admin/paper-template.xlsx", methods=["GET"], role=Role.OPERATOR, download=True)
def paper_template_xlsx() -> Response:
    """The Excel template: the contract's columns, an example row, a list for 题型, a note on 答案."""
    from chalicelib.services.paper_workbook import template

    return Response(
        body=template(),
        status_code=200,
        headers={
            "Content-Type": XLSX_TYPE,
            "Content-Disposition": attachment("paper-template.xlsx", "试卷模板.xlsx"),
            "Cache-Control": "no-store",
        },
    )


@route(
    bp, "/api/admin/periods/{period_id}/registrations", methods=["GET"], role=Role.VIEWER, full_details=True
)
def list_registrations(period_id: str) -> Response:
    """One page of the period's registrations; `cursor` asks for the next.

    Full details for admins, masked for the other roles."""
    from chalicelib.services import results

    request = bp.current_request
    query = request.query_params
    cursor = query.get("cursor") if query else None
    limit = query.get("limit") if query else None
    full = request.context.get("staff_role") == Role.ADMIN.label
    page = results.registrations_page(runtime.current(), period_id, cursor, limit, full=full)
    return json_response(page)


@route(bp, "/api/admin/periods/{period_id}/stats", methods=["GET"], role=Role.VIEWER)
def period_stats(period_id: str) -> Response:
    """Registered, started, submitted, passed, pass rate and each question's correct rate."""
    from chalicelib.services import results

    return json_response(results.stats(runtime.current(), period_id).public())


@route(bp, "/api/admin/periods/{period_id}/analysis", methods=["GET"], role=Role.OPERATOR)
def period_analysis(period_id: str) -> Response:
    """Item analysis of the period's questions, a fixed paper's as a drawn one's: facility,
    upper-lower and point-biserial discrimination, the share choosing each option, and flags."""
    from chalicelib.services import results

    return json_response(results.analysis(runtime.current(), period_id))


@route(bp, "/api/admin/periods/{period_id}/export", methods=["POST"], role=Role.OPERATOR)
def export_period(period_id: str) -> Response:
    """E-mail the period's passers not yet exported now; `{"full": true}` re-sends every passer."""
    request = bp.current_request
    body = json_body(request) if (request.raw_body or b"").strip() else {}
    # Imported here: the export (its storage, file writers, thread pool) is off the cold start.
    from chalicelib.services import export

    result = export.export_period(runtime.current(), period_id, full=export.full_option(body))
    return json_response({"export": result.public()})


# Entry into the city's system ----------------------------------------------------


@route(bp, "/api/admin/entries", methods=["GET"], role=Role.VIEWER)
def entries_overview() -> Response:
    """Every ended period: passers exported, entered into the city's system, outstanding, and the deadline."""
    from chalicelib.services import entries

    return json_response(entries.overview(runtime.current()))


@route(bp, "/api/admin/periods/{period_id}/entries", methods=["GET"], role=Role.VIEWER)
def period_entries(period_id: str) -> Response:
    """One period's passers exported, entered and outstanding, and its deadline."""
    from chalicelib.services import entries

    return json_response(entries.period_entries(runtime.current(), period_id))


@route(bp, "/api/admin/periods/{period_id}/entries", methods=["POST"], role=Role.OPERATOR)
def mark_entries(period_id: str) -> Response:
    """Mark exported passers entered into the city's system: `all`, or `id_numbers`, `text` or `file`
    (the city system's result), on `entered_on` (default today). IDs not among them are reported."""
    from chalicelib.services import entries

    request = bp.current_request
    staff = str(request.context.get("staff") or "")
    marking = entries.mark(runtime.current(), period_id, json_body(request), staff)
    request.context["audit_record"] = marking.audit_record()
    return json_response(marking.public())


def _qr_headers(content_type: str, extension: str) -> dict[str, str | list[str]]:
    # An <img> ignores the attachment; a link (or WeChat's "open in browser") saves the file.
    return {
        "Content-Type": content_type,
        "Cache-Control": "no-store",
        "Content-Disposition": attachment(f"entry-qr.{extension}", f"报名考试二维码.{extension}"),
    }


@route(bp, "/api/admin/qr.svg", methods=["GET"], role=Role.VIEWER, download=True)
def qr_svg() -> Response:
    """The permanent QR code of the candidates' entry page, for print."""
    from chalicelib.services import qr

    # Text, not bytes: Lambda's proxy response carries a non-binary body as a JSON string.
    body = qr.svg(public_entry_url(bp.current_request))
    return Response(body=body, status_code=200, headers=_qr_headers("image/svg+xml", "svg"))


@route(bp, "/api/admin/qr.png", methods=["GET"], role=Role.VIEWER, download=True)
def qr_png() -> Response:
    """The same QR code as a bitmap, for screens and chat."""
    from chalicelib.services import qr

    body = qr.png(public_entry_url(bp.current_request))
    return Response(body=body, status_code=200, headers=_qr_headers("image/png", "png"))


@route(bp, "/api/admin/links", methods=["POST"], role=Role.VIEWER)
def download_link() -> Response:
    """A link that opens one staff file (`path`, e.g. `api/admin/qr.png`) without the Authorization
    header for five minutes: WeChat's browser saves a plain URL, never a `blob:` one. The file's
    route still checks the role of the token the link was asked with."""
    from chalicelib.services import links

    request = bp.current_request
    raw = json_body(request).get("path")
    path = "/" + raw.lstrip("/") if isinstance(raw, str) else ""
    if not signed_download("GET", path):
        raise Invalid("path", "只能为工作人员控制台中可下载的文件生成下载链接。")
    link, expires_at = links.issue(runtime.current(), bearer_token(request) or "", path)
    url = f"{site_root(request)}{path.lstrip('/')}?{urlencode({'link': link})}"
    return json_response({"link": {"url": url, "expires_at": expires_at}})


@route(bp, "/api/admin/paper-template.json", methods=["GET"], role=Role.VIEWER, download=True)
def paper_template() -> Response:
    """A valid paper to start from: staff download it, replace the questions, upload it."""
    from chalicelib.services import papers

    return Response(
        body=papers.template(),
        status_code=200,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Content-Disposition": attachment("paper-template.json", "试卷模板.json"),
            "Cache-Control": "no-store",
        },
    )


@route(bp, "/api/admin/calendar/{year}", methods=["GET"], role=Role.VIEWER)
def get_calendar_year(year: str) -> Response:
    """The year's weekdays off and weekend days worked, and whether staff, the library or nobody knows it."""
    from chalicelib.services import calendar

    return json_response(calendar.calendar_year(runtime.current(), year))


@route(bp, "/api/admin/calendar/{year}", methods=["PUT"], role=Role.OPERATOR)
def put_calendar_year(year: str) -> Response:
    """Enter the year from the State Council's notice as pasted, or from lists of days."""
    from chalicelib.services import calendar

    body = json_body(bp.current_request)
    return json_response(calendar.save_calendar_year(runtime.current(), year, body))


@route(bp, "/api/admin/warnings", methods=["GET"], role=Role.VIEWER)
def staff_warnings() -> Response:
    """What staff must see to on the console: a calendar year still unknown, passers not entered
    into the city's system from the 4th working day after their exam."""
    from chalicelib.services import warnings

    return json_response(warnings.console_warnings(runtime.current()))


@route(bp, "/api/admin/audit", methods=["GET"], role=Role.ADMIN)
def audit_events() -> Response:
    """The audit trail from `since` (YYYY-MM-DD) on, optionally one `staff` member's, page by `cursor`."""
    from chalicelib.services import audit

    query = dict(bp.current_request.query_params or {})
    return json_response(audit.events_page(runtime.current(), query))


# The helpdesk ------------------------------------------------------------------

PERSON_REGISTRATION = "/api/admin/people/{person}/registrations/{period_id}"


@route(bp, "/api/admin/people", methods=["GET"], role=Role.VIEWER, full_details=True)
def search_people() -> Response:
    """Find a person by `id_number`, `phone`, `email` or `name` (exact): their registrations across
    periods with status, score, change history and e-mails sent. Masked unless an admin asks `full=1`
    (audited, with the people shown)."""
    from chalicelib.services import helpdesk

    request = bp.current_request
    role = Role.parse(request.context.get("staff_role"))
    answer = helpdesk.search(runtime.current(), dict(request.query_params or {}), role)
    request.context["full_details"] = answer.full
    if answer.full:
        request.context["audit_record"] = {"people": ",".join(answer.people)}
    return json_response(answer.body)


@route(bp, PERSON_REGISTRATION, methods=["PATCH"], role=Role.OPERATOR)
def correct_registration(person: str, period_id: str) -> Response:
    """Correct a registration's name, phone or e-mail (`reason` required); claims move in the same write."""
    from chalicelib.services import helpdesk

    body = json_body(bp.current_request)
    return json_response({"registration": helpdesk.correct(runtime.current(), person, period_id, body)})


@route(bp, PERSON_REGISTRATION + "/withdraw", methods=["POST"], role=Role.OPERATOR)
def withdraw_registration(person: str, period_id: str) -> Response:
    """Withdraw a registration without a result (`reason` required); unused claims are freed."""
    from chalicelib.services import helpdesk

    helpdesk.withdraw(runtime.current(), person, period_id, json_body(bp.current_request))
    return no_content()


@route(bp, PERSON_REGISTRATION + "/move", methods=["POST"], role=Role.OPERATOR)
def move_registration(person: str, period_id: str) -> Response:
    """Move a registration without a result to the period `period_id` of the body (`reason` required)."""
    from chalicelib.services import helpdesk

    body = json_body(bp.current_request)
    return json_response({"registration": helpdesk.move(runtime.current(), person, period_id, body)})


@route(bp, "/api/admin/people/{person}/claims/{field}/release", methods=["POST"], role=Role.OPERATOR)
def release_claim(person: str, field: str) -> Response:
    """Release the person's claim on their phone or e-mail, judged a squat (`reason` required)."""
    from chalicelib.services import helpdesk

    body = json_body(bp.current_request)
    return json_response(helpdesk.release(runtime.current(), person, field, body))


@route(bp, PERSON_REGISTRATION + "/extra-time", methods=["POST"], role=Role.OPERATOR)
def give_extra_time(person: str, period_id: str) -> Response:
    """Give one candidate `minutes` more on exam day (`reason` required)."""
    from chalicelib.services import helpdesk

    body = json_body(bp.current_request)
    return json_response({"registration": helpdesk.extra_time(runtime.current(), person, period_id, body)})


@route(bp, PERSON_REGISTRATION + "/late-entry", methods=["POST"], role=Role.OPERATOR)
def allow_late_entry(person: str, period_id: str) -> Response:
    """Let one candidate enter after the exam ended, with `minutes` from now (`reason` required)."""
    from chalicelib.services import helpdesk

    body = json_body(bp.current_request)
    return json_response({"registration": helpdesk.late_entry(runtime.current(), person, period_id, body)})


@route(bp, PERSON_REGISTRATION + "/reopen", methods=["POST"], role=Role.OPERATOR)
def reopen_attempt(person: str, period_id: str) -> Response:
    """Reopen an attempt closed automatically by mistake, `minutes` from now to finish (`reason` required)."""
    from chalicelib.services import helpdesk

    body = json_body(bp.current_request)
    return json_response({"registration": helpdesk.reopen(runtime.current(), person, period_id, body)})


@route(bp, PERSON_REGISTRATION + "/void", methods=["POST"], role=Role.OPERATOR)
def void_attempt(person: str, period_id: str) -> Response:
    """Void the attempt (reason kept, never exported) so the real person can sit the exam."""
    from chalicelib.services import helpdesk

    request = bp.current_request
    staff = str(request.context.get("staff") or "")
    body = json_body(request)
    return json_response({"registration": helpdesk.void(runtime.current(), person, period_id, body, staff)})


@route(bp, "/api/admin/people/delete", methods=["POST"], role=Role.ADMIN)
def delete_person() -> Response:
    """Delete every item of one person's identity, with a reason; the ID number travels in
    the body, never in the URL, so no path or log holds it. Answers the counts by kind."""
    request = bp.current_request
    from chalicelib.services import retention  # off the cold start, as the export is

    deletion = retention.delete_person(runtime.current(), json_body(request))
    request.context["audit_record"] = deletion.audit_record()
    return json_response(deletion.public())


# Staff tokens (admins) ---------------------------------------------------------


@route(bp, "/api/admin/staff", methods=["GET"], role=Role.ADMIN)
def list_staff() -> Response:
    """Every staff token's holder and role (never a token)."""
    from chalicelib.services import staff

    return json_response({"staff": staff.list_staff(runtime.current())})


@route(bp, "/api/admin/staff", methods=["POST"], role=Role.ADMIN)
def create_staff() -> Response:
    """A token for `name` with `role`, shown once; it works at once in every container."""
    from chalicelib.services import staff

    request = bp.current_request
    created = staff.create(runtime.current(), json_body(request))
    request.context["audit_record"] = {
        "staff_name": created["staff"]["name"],
        "role": created["staff"]["role"],
    }
    return json_response(created, status=201)


@route(bp, "/api/admin/staff/{staff_id}", methods=["DELETE"], role=Role.ADMIN)
def revoke_staff(staff_id: str) -> Response:
    """Revoke a token by the `id` the list gives; it stops in every container within a minute."""
    from chalicelib.services import staff

    request = bp.current_request
    revoked = staff.revoke(runtime.current(), staff_id, str(request.context.get("staff") or ""))
    request.context["audit_record"] = {"staff_name": revoked.name, "role": revoked.role.label}
    return no_content()


# The city's import template ------------------------------------------------------

CITY_TEMPLATE = "/api/admin/city-template"


@route(bp, CITY_TEMPLATE, methods=["GET"], role=Role.VIEWER)
def get_city_template() -> Response:
    """The city's import template in use: sheet, header rows, columns (at `header_row`), mapping."""
    from chalicelib.services import city_template

    query: dict[str, str] = dict(bp.current_request.query_params or {})
    return json_response(city_template.view(runtime.current(), query.get("header_row")))


@route(bp, CITY_TEMPLATE, methods=["PUT"], role=Role.OPERATOR)
def put_city_template() -> Response:
    """Upload the city's blank import template (.xlsx); it replaces the one in use, unmapped."""
    from chalicelib.services import city_template

    request = bp.current_request
    raw = request.raw_body or b""
    data = raw.encode() if isinstance(raw, str) else raw
    answer = city_template.upload(runtime.current(), data, str(request.context.get("staff") or ""))
    request.context["audit_record"] = city_template.audit_record(answer)
    return json_response(answer)


@route(bp, CITY_TEMPLATE, methods=["DELETE"], role=Role.OPERATOR)
def delete_city_template() -> Response:
    """Stop using the template: the export sends its own CSV and Excel only, as before."""
    from chalicelib.services import city_template

    city_template.remove(runtime.current())
    return no_content()


@route(bp, CITY_TEMPLATE + "/mapping", methods=["PUT"], role=Role.OPERATOR)
def put_city_template_mapping() -> Response:
    """Map every column of the template to a field, a fixed text or nothing (validated)."""
    from chalicelib.services import city_template

    request = bp.current_request
    staff = str(request.context.get("staff") or "")
    answer = city_template.save_mapping(runtime.current(), json_body(request), staff)
    request.context["audit_record"] = city_template.audit_record(answer)
    return json_response(answer)


# Rights requests -----------------------------------------------------------------


@route(bp, "/api/admin/rights-requests", methods=["GET"], role=Role.OPERATOR)
def rights_queue() -> Response:
    """Candidates' rights requests: open ones by answer date (overdue flagged), then answered ones."""
    from chalicelib.services import rights

    return json_response(rights.queue(runtime.current()))


@route(bp, "/api/admin/rights-requests/{request_id}/answer", methods=["POST"], role=Role.OPERATOR)
def answer_rights_request(request_id: str) -> Response:
    """Answer a request (`outcome` done or refused, `note`): the candidate is e-mailed the outcome,
    and for a copy their data; a deletion is done only once their records are gone."""
    from chalicelib.services import rights

    request = bp.current_request
    staff = str(request.context.get("staff") or "")
    answered, record = rights.answer(runtime.current(), request_id, json_body(request), staff)
    request.context["audit_record"] = record
    return json_response(answered)


@route(bp, "/api/admin/rights-requests/{request_id}/delete-person", methods=["POST"], role=Role.ADMIN)
def delete_rights_requester(request_id: str) -> Response:
    """Delete every item of the requester's identity (`reason` required), as delete-person does."""
    from chalicelib.services import rights

    request = bp.current_request
    deletion = rights.delete_requester(runtime.current(), request_id, json_body(request))
    request.context["audit_record"] = {"request": request_id, **deletion.audit_record()}
    return json_response(deletion.public())
