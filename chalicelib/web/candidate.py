"""Candidate routes that need no authentication: what today is, registration, lookup."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import runtime
from chalicelib.services import periods
from chalicelib.web.http import json_response, route

bp = Blueprint(__name__)


@route(bp, "/api/today", methods=["GET"])
def today() -> Response:
    """What the permanent QR code opens today: registration, the exam, or when to come back."""
    return json_response(periods.today(runtime.current()).public())
