"""The pages' normaliser (HR.normalise in static/common.js) against the server's own.

The server decides (chalicelib/domain/identity.py); the pages only spare a round trip, so
they must never refuse, or send differently, what the server accepts: a full-width phone the
exam page used to refuse is the case this guards. Each input the server accepts must come out
of the JavaScript exactly as the server stores it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from chalicelib.domain.errors import Invalid
from chalicelib.domain.identity import normalise_email, normalise_id_number, normalise_name, normalise_phone
from chalicelib.web.pages import STATIC
from tests.browser.conftest import browser_page

TODAY = dt.date(2026, 12, 2)
ID = "11010519491231002X"

TABLE: dict[str, list[str]] = {
    "idNumber": [
        ID,
        ID.lower(),
        " 110105 19491231 002x ",
        "".join(chr(ord(ch) + 0xFEE0) for ch in ID),  # full-width digits and Ｘ
        "110105\u300019491231\u3000002X",  # ideographic spaces
        "1101051949123100\u20022X",
    ],
    "phone": [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "138－1234－5678",
        "138—1234—5678",
        "138–1234–5678",
        "138\u22121234\u22125678",
        "１３８１２３４５６７８",
        "+86 138 1234 5678",
        "0086-13812345678",
        "8613812345678",
        "＋８６１３８１２３４５６７８",
        "\u3000138 1234 5678\u3000",
        "138\u20101234\u20115678",
    ],
    "email": [
        "wang@example.com",
        " Wang.Li@Example.COM ",
        "ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        "li+exam@Mail.Example.cn",
        "\u3000zhang@example.org\u3000",
    ],
    "name": ["王小明", " 王小明 ", "\u3000阿·买买提\u3000", "Li Lei", "欧阳 娜娜"],
}

SERVER: dict[str, Callable[[str], str]] = {
    "idNumber": lambda text: normalise_id_number(text, TODAY),
    "phone": normalise_phone,
    "email": normalise_email,
    "name": normalise_name,
}

# Random phone inputs: digits and every separator a keyboard or IME gives, in any width.
PHONE_NOISE = " -－—–−‐\u3000\u2002+"


def random_phones(count: int, seed: int = 20261202) -> list[str]:
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        digits = "1" + "".join(rng.choice("0123456789") for _ in range(10))
        prefix = rng.choice(["", "+86", "0086", "86", "＋８６"])
        text = ""
        for ch in prefix + digits:
            if rng.random() < 0.3:
                ch = chr(ord(ch) + 0xFEE0)
            text += ch
            if rng.random() < 0.2:
                text += rng.choice(PHONE_NOISE)
        made.append(text)
    return made


def server_accepts(kind: str, text: str) -> str | None:
    try:
        return SERVER[kind](text)
    except Invalid:
        return None


def test_the_pages_normalise_every_accepted_input_as_the_server_stores_it() -> None:
    cases = {kind: list(values) for kind, values in TABLE.items()}
    cases["phone"] += random_phones(300)
    expected = {kind: [server_accepts(kind, text) for text in values] for kind, values in cases.items()}
    # The table is about inputs the server takes; a case it refuses is a broken test, not a pass.
    for kind, values in TABLE.items():
        accepted = expected[kind][: len(values)]
        refused = [text for text, want in zip(values, accepted, strict=True) if want is None]
        assert not refused, f"{kind}: the server refuses {refused}"
    with browser_page() as page:
        page.set_content('<body data-root="/"></body>')
        page.add_script_tag(path=str(STATIC / "common.js"))
        got = page.evaluate(
            "(cases) => Object.fromEntries(Object.entries(cases).map("
            "([kind, values]) => [kind, values.map((text) => HR.normalise[kind](text))]))",
            cases,
        )
    mismatches = [
        (kind, text, want, seen)
        for kind, values in cases.items()
        for text, want, seen in zip(values, expected[kind], got[kind], strict=True)
        if want is not None and want != seen
    ]
    assert not mismatches, mismatches


def test_the_pages_share_one_normaliser() -> None:
    """No page keeps a copy of its own (the exam page's copy refused a full-width phone)."""
    for name in ("register.js", "exam.js", "lookup.js"):
        source = (STATIC / name).read_text(encoding="utf-8")
        assert "HR.normalise" in source, name
        assert "normalize(" not in source and "+86|0086|86" not in source, name
