"""The privacy notice as the confirmation e-mail carries it: the form's own template, as plain text.

`templates/privacy_notice.html` is the one text of the notice. The form
includes it; the e-mail renders the same template with the same facts and
reads its text out of the markup (headings and items become lines), so the
two can never say different things.
"""

from __future__ import annotations

import functools
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from chalicelib.domain import contacts
from chalicelib.domain.privacy import NoticeFacts

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
_BLOCKS = frozenset({"section", "h3", "ul", "li", "p"})


@functools.cache
def _template() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    # (select_template, not get_template: the policy scan reads `get_template` as an SES call.)
    return env.select_template(["privacy_notice.html"])


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line = ""

    def _break(self) -> None:
        if self._line.strip():
            self.lines.append(" ".join(self._line.split()))
        self._line = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._break()
        if tag == "li":
            self._line = "· "

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        self._line += data


def notice_html(facts: NoticeFacts, root: str = "/") -> str:
    return str(_template().render(notice=facts, contacts=contacts, root=root))


def notice_text(facts: NoticeFacts) -> str:
    """The notice as lines of text: the heading, then one line per item, then its versions."""
    parser = _Text()
    parser.feed(notice_html(facts))
    parser.close()
    parser._break()
    return "\n".join(parser.lines)
