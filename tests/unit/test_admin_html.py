"""The console's screens are sibling `.view` sections: one nested in another is hidden with it.

A merge once dropped the `</section>` of the 录入市系统 view, which put every later screen
(题库, 日历, 市系统模板, helpdesk, audit, staff, privacy, rights) inside it, so each showed
blank; only the browser tests noticed, and only as "hidden"."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import PROJECT


class Views(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, bool]] = []
        self.nested: list[str] = []
        self.views: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "section":
            return
        found = dict(attrs)
        is_view = "view" in (found.get("class") or "").split()
        name = found.get("id") or "?"
        if is_view:
            self.views.append(name)
            if any(view for _, view in self.open):
                self.nested.append(name)
        self.open.append((name, is_view))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.open.pop()


def test_every_console_screen_is_a_top_level_view_and_every_section_is_closed() -> None:
    parser = Views()
    parser.feed((Path(PROJECT) / "templates" / "admin.html").read_text(encoding="utf-8"))
    assert parser.views, "no .view sections found"
    assert parser.nested == []
    assert parser.open == []
