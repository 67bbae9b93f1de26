"""The permanent QR code decodes back to the candidates' entry URL."""

from __future__ import annotations

import io
import json
import re

import zxingcpp
from PIL import Image, ImageDraw


def decode_png(data: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))
    assert results, "no QR code found in the PNG"
    return str(results[0].text)


def decode_svg(data: bytes | str) -> str:
    """Redraw the SVG's modules (`M x,y H.. V.. H.. z` squares) as a bitmap and decode it."""
    text = data.decode() if isinstance(data, bytes) else data
    size = int(float(re.search(r'viewBox="0 0 ([\d.]+)', text).group(1)))
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    path = re.search(r'<path d="([^"]+)"', text)
    squares = re.findall(r"M([\d.]+),([\d.]+)H([\d.]+)V([\d.]+)", path.group(1))
    assert squares, "no modules found in the SVG"
    for x, y, x2, y2 in squares:
        draw.rectangle(
            [float(x) * scale, float(y) * scale, float(x2) * scale - 1, float(y2) * scale - 1], fill=0
        )
    return decode_png(_png(image))


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_png_decodes_to_the_entry_url(api):
    response = api.staff(
        "GET", "/api/admin/qr.png", headers={"Accept": "image/png", "Host": "exam.test:8443"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    # The local stage leaves PUBLIC_URL empty: the code points at this server.
    assert decode_png(response.body) == "http://exam.test:8443/"


def test_svg_decodes_to_the_entry_url(api):
    response = api.staff("GET", "/api/admin/qr.svg", headers={"Host": "exam.test:8443"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("image/svg+xml")
    assert decode_svg(response.body) == "http://exam.test:8443/"


def test_configured_public_url_is_what_the_code_holds():
    from chalicelib.services import qr

    url = "https://exam.example.org/v1/"
    assert decode_png(qr.png(url)) == url
    assert decode_svg(qr.svg(url)) == url


def test_a_download_without_a_matching_accept_is_refused_in_the_contract_shape(api):
    """API Gateway would hand such a client base64 text, so Chalice refuses; the refusal
    must still be the contract's error object (it used to be Chalice's own `Code`/`Message`)."""
    for accept in (None, "application/json"):
        headers = {"Accept": accept} if accept else {}
        for path in ("/api/admin/qr.png", "/api/admin/paper-template.xlsx"):
            response = api.staff("GET", path, headers=headers)
            assert response.status_code == 406, (path, accept)
            assert response.headers["Content-Type"].startswith("application/json")
            error = json.loads(response.body)["error"]
            assert error["code"] == "not_acceptable"
            assert "Accept" in error["message"]
    # What every browser and download tool sends gets the file.
    assert api.staff("GET", "/api/admin/qr.png", headers={"Accept": "*/*"}).status_code == 200
