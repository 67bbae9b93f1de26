"""What free text a person types may hold.

Names travel into e-mail subjects, spreadsheet cells and HTML; a control
character, a line break or a lone surrogate in one breaks the first two and
cannot be stored in the third. The rule is written once, here.
"""

from __future__ import annotations

import unicodedata

LINE_BREAKS = frozenset("\n\r\u2028\u2029\x85")


def is_unprintable(ch: str, line_breaks: bool = False) -> bool:
    """A control character, a line or paragraph separator, or a lone surrogate.

    With `line_breaks`, `\\n`, `\\r` and the Unicode line/paragraph separators pass."""
    if line_breaks and ch in LINE_BREAKS and ch != "\x85":
        return False
    return unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")


def has_unprintable(text: str, line_breaks: bool = False) -> bool:
    return any(is_unprintable(ch, line_breaks) for ch in text)


def one_line(text: str) -> str:
    """The text on one line, for an e-mail header: every unprintable run becomes one space."""
    out: list[str] = []
    for ch in text:
        if is_unprintable(ch) or ch == "\t":
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(ch)
    return "".join(out).strip()
