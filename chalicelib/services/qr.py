"""The one permanent QR code: the candidates' entry URL as SVG, PNG or terminal art.

qrcode is imported inside each function: only the QR routes and `make run`
pay for it, not every cold start.
"""

from __future__ import annotations

import io

# Medium error correction survives a printed poster with a scuff or a glare.
_ERROR_CORRECTION = "M"


def _code(url: str) -> object:
    import qrcode
    import qrcode.constants

    levels = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M}
    code = qrcode.QRCode(error_correction=levels[_ERROR_CORRECTION], border=4, box_size=10)
    code.add_data(url)
    code.make(fit=True)
    return code


def svg(url: str) -> str:
    """A scalable image for print: one path on a white background (text, not a binary type)."""
    from qrcode.image.svg import SvgPathFillImage

    image = _code(url).make_image(image_factory=SvgPathFillImage)  # type: ignore[attr-defined]
    return bytes(image.to_string(encoding="utf-8")).decode("utf-8")


def png(url: str) -> bytes:
    """A bitmap for screens and chat apps, drawn without Pillow (pure-Python PNG)."""
    from qrcode.image.pure import PyPNGImage

    image = _code(url).make_image(image_factory=PyPNGImage)  # type: ignore[attr-defined]
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def terminal(url: str) -> str:
    """Half-block art a phone camera can read off a terminal."""
    code = _code(url)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)  # type: ignore[attr-defined]
    return out.getvalue()
