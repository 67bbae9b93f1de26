"""Staff routes of the question bank and of periods that draw each attempt's paper from it.

Operators manage the bank and blueprints; the middleware records every
write in the audit trail, as for any staff write, and every download of the
bank, which carries the answer key.
"""

from __future__ import annotations

from chalice.app import Blueprint, Request, Response

from chalicelib import runtime
from chalicelib.domain.staff import Role
from chalicelib.web.http import attachment, json_body, json_response, route

# The services are imported by the routes that use them, off a candidate's cold start (as in web/admin.py).
bp = Blueprint(__name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(request: Request) -> bytes | None:
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != XLSX_TYPE:
        return None
    raw = request.raw_body or b""
    return raw.encode() if isinstance(raw, str) else raw


@route(bp, "/api/admin/bank", methods=["GET"], role=Role.OPERATOR, audited=True)
def get_bank() -> Response:
    """Every current item with its key and version, and the counts per type, topic and difficulty.
    It shows every item's key, as the workbook does, so each view is audited the same way."""
    from chalicelib.services import bank

    view = bank.bank_view(runtime.current())
    bp.current_request.context["audit_record"] = {
        "bank_version": view["version"] or "",
        "items": str(len(view["items"])),
    }
    return json_response(view)


@route(bp, "/api/admin/bank", methods=["PUT"], role=Role.OPERATOR)
def import_bank() -> Response:
    """Import items (JSON `{"items": [...]}` or the Excel layout): new items are added, edited
    ones become their next version, unchanged ones keep theirs."""
    from chalicelib.services import bank

    request = bp.current_request
    data = _workbook(request)
    rt = runtime.current()
    merged = bank.import_workbook(rt, data) if data is not None else bank.import_items(rt, json_body(request))
    request.context["audit_record"] = {
        "added": str(len(merged.added)),
        "changed": ",".join(merged.changed)[:500],
    }
    return json_response({"import": merged.public()})


@route(bp, "/api/admin/bank/analysis", methods=["GET"], role=Role.OPERATOR)
def bank_analysis() -> Response:
    """Per item version across periods: facility, discrimination (upper-lower 27 % and
    point-biserial), the share choosing each option, and flags."""
    from chalicelib.services import bank

    return json_response(bank.item_analysis(runtime.current()))


@route(bp, "/api/admin/bank.xlsx", methods=["GET"], role=Role.OPERATOR, download=True, audited=True)
def export_bank() -> Response:
    """The bank in the paper template's layout plus 知识点 and 难度, to edit and import again.
    It holds every item's key, so each download is audited (which bank version, how many items)."""
    from chalicelib.services import bank

    exported = bank.export_workbook(runtime.current())
    bp.current_request.context["audit_record"] = exported.audit_record()
    return Response(
        body=exported.workbook,
        status_code=200,
        headers={
            "Content-Type": XLSX_TYPE,
            "Content-Disposition": attachment("question-bank.xlsx", "题库.xlsx"),
            "Cache-Control": "no-store",
        },
    )


@route(bp, "/api/admin/periods/{period_id}/blueprint", methods=["PUT"], role=Role.OPERATOR)
def put_blueprint(period_id: str) -> Response:
    """Draw each attempt's paper from the bank by counts per type and topic (optionally
    difficulty), checked against the bank; locked like an uploaded paper once the exam is near."""
    from chalicelib.services import papers

    return json_response(
        {"paper": papers.set_blueprint(runtime.current(), period_id, json_body(bp.current_request))}
    )


@route(bp, "/api/admin/periods/{period_id}/blueprint", methods=["GET"], role=Role.OPERATOR)
def get_blueprint(period_id: str) -> Response:
    """The blueprint the period draws by, as stored (404 when it uses a fixed paper or has none)."""
    from chalicelib.services import papers

    return json_response({"paper": papers.stored_blueprint(runtime.current(), period_id)})
