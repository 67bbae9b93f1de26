"""docs/screenshots keeps every candidate step the browser tests photograph, and lists each."""

from __future__ import annotations

import struct

from tests.browser.screenshots import SHOTS, STEPS


def test_every_candidate_step_has_its_360_px_picture_listed() -> None:
    listing = (SHOTS / "README.md").read_text(encoding="utf-8")
    kept = {path.stem for path in SHOTS.glob("*.png")}
    assert kept == set(STEPS), "a step without its picture, or a picture of no step"
    for step, caption in STEPS.items():
        assert f"({step}.png)" in listing and caption in listing
        header = (SHOTS / f"{step}.png").read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        width, _height = struct.unpack(">II", header[16:24])
        # The phone's 360 CSS px, at whatever device scale factor the phone context uses.
        assert width % 360 == 0, f"{step}.png is {width} px wide"
