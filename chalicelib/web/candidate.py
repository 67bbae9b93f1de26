"""Candidate routes that need no authentication: what today is, registration, lookup."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import runtime
from chalicelib.web.http import client_address, json_body, json_response, route

# Each route imports its service where it runs: a cold start loads only what its first request uses.
bp = Blueprint(__name__)


@route(bp, "/api/today", methods=["GET"])
def today() -> Response:
    """What the permanent QR code opens today: registration, the exam, or when to come back."""
    from chalicelib.services import periods

    return json_response(periods.today(runtime.current()).public())


@route(bp, "/api/registrations", methods=["POST"])
def register() -> Response:
    """Training sign-in for the period open today; the receipt carries only masked details."""
    from chalicelib.services import registration

    receipt = registration.register(runtime.current(), json_body(bp.current_request))
    return json_response(receipt, status=201)


@route(bp, "/api/registrations/lookup", methods=["POST"])
def lookup() -> Response:
    """One's registrations, exam times and results, by ID number and phone."""
    from chalicelib.services import registration

    request = bp.current_request
    found = registration.lookup(runtime.current(), json_body(request), client_address(request))
    return json_response(found)


@route(bp, "/api/rights-requests", methods=["POST"])
def file_rights_request() -> Response:
    """A candidate's request for a copy, a correction, deletion or withdrawing consent, after the
    lookup's ID number + phone check; staff answer it by e-mail to the registered address."""
    from chalicelib.services import rights

    request = bp.current_request
    filed = rights.file_request(runtime.current(), json_body(request), client_address(request))
    return json_response(filed, status=201)
