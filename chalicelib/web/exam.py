"""Exam routes under /api/exam: entry by ID number and name, then a bearer exam token.

The token is checked in the service (an HMAC, no database read); these
views only parse the request and shape the response.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import runtime
from chalicelib.web.http import bearer_token, client_address, json_body, json_response, no_content, route

# Each route imports its service where it runs: a cold start loads only what its first request uses.
bp = Blueprint(__name__)


@route(bp, "/api/exam/sessions", methods=["POST"])
def start_session() -> Response:
    """Enter (or resume) today's exam by ID number and name; the token outlives the exam's grace."""
    from chalicelib.services import exam

    request = bp.current_request
    session = exam.start_session(runtime.current(), json_body(request), client_address(request))
    return json_response(session.public(), status=201)


@route(bp, "/api/exam/paper", methods=["GET"])
def paper() -> Response:
    """The paper without any key, and the answers saved so far."""
    from chalicelib.services import exam

    rt = runtime.current()
    attempt = exam.authenticate(rt, bearer_token(bp.current_request))
    # The questions are the attempt's cached view (never changed): encoded once per attempt.
    return json_response(exam.candidate_paper(rt, attempt), reused=("questions",))


@route(bp, "/api/exam/answers", methods=["PUT"])
def save_answers() -> Response:
    """Save progress: each question named replaces its saved answer."""
    from chalicelib.services import exam

    rt = runtime.current()
    attempt = exam.authenticate(rt, bearer_token(bp.current_request))
    exam.save_answers(rt, attempt, json_body(bp.current_request))
    return no_content()


@route(bp, "/api/exam/submit", methods=["POST"])
def submit() -> Response:
    """Submit with the latest details; scored at once, and exactly once."""
    from chalicelib.services import exam

    rt = runtime.current()
    attempt = exam.authenticate(rt, bearer_token(bp.current_request))
    result = exam.submit(rt, attempt, json_body(bp.current_request))
    return json_response({"result": result.public()})
