"""Behind API Gateway every URL starts with the stage (`/v1/`): pages and the QR code must follow.

The app is invoked with the proxy event API Gateway sends for
`https://<api>.execute-api.<region>.amazonaws.com/v1/...`, as Lambda would.
"""

from __future__ import annotations

import base64
import io
import json
import re
import uuid
from typing import Any

import pytest

from app import app
from chalicelib import runtime
from ops import deployment
from tests.conftest import beijing

HOST = "abc123.execute-api.ap-east-1.amazonaws.com"
STAGE = deployment.api_stage("prod")


def invoke(resource: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """What API Gateway's Lambda proxy integration sends for GET /<stage><resource>."""
    event = {
        "resource": resource,
        "path": resource,
        "httpMethod": "GET",
        "headers": {"host": HOST, "x-forwarded-proto": "https", "accept": "*/*", **(headers or {})},
        "multiValueHeaders": None,
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": "GET",
            "path": f"/{STAGE}{resource}",
            "stage": STAGE,
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": "203.0.113.7"},
        },
        "body": None,
        "isBase64Encoded": False,
    }
    return dict(app(event, None))


@pytest.fixture
def staff_token(aws_env: None, travel: Any) -> str:
    travel(beijing(2026, 12, 1, 9))
    return runtime.current().secrets.add_staff_token("prefix")


def test_page_links_start_with_the_stage(staff_token: str) -> None:
    response = invoke("/")
    assert response["statusCode"] == 200
    html = response["body"]
    assert re.search(f'href="/{STAGE}/static/app\\.[0-9a-f]{{12}}\\.css"', html)
    assert re.search(f'src="/{STAGE}/static/common\\.[0-9a-f]{{12}}\\.js"', html)


def test_qr_code_points_at_the_stage_url_when_public_url_is_empty(staff_token: str) -> None:
    import zxingcpp
    from PIL import Image

    assert runtime.current().settings.public_url == ""
    response = invoke("/api/admin/qr.png", {"authorization": f"Bearer {staff_token}", "accept": "image/png"})
    assert response["statusCode"] == 200, response.get("body")
    image = Image.open(io.BytesIO(base64.b64decode(response["body"])))
    (decoded,) = zxingcpp.read_barcodes(image)
    assert decoded.text == f"https://{HOST}/{STAGE}/"


def test_qr_svg_is_text_lambda_can_return(staff_token: str) -> None:
    response = invoke("/api/admin/qr.svg", {"authorization": f"Bearer {staff_token}"})
    assert response["statusCode"] == 200
    assert isinstance(response["body"], str) and response["body"].lstrip().startswith("<")
    json.dumps(response)  # what the Lambda runtime does with it
