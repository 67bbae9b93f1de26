"""Page weight: every candidate page with all it loads, on a phone, against `make run`'s stack.

    python -m benchmarks.page_weight

Debian's Chromium (through Playwright, as the browser tests drive it) opens
each page in a fresh context, so nothing comes from a cache: `/` in each mode
(closed, registration, exam), `/lookup` and `/faq`, and the exam itself
(entry by ID number, the details, then the paper on screen: everything a
candidate downloads before the first question). For each: the bytes of every
response (the decoded body), the same gzip-compressed one by one (what API
Gateway sends a phone that accepts gzip: the stages compress from 1 KB), the
number of requests, and any request that left the origin (must be none).
Target: the exam at most 60 KB gzip.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks._table import Row, check, children_print_to_stderr, info, say, standalone

NAME = "page_weight"
EXAM_TARGET_GZIP = 60 * 1024


def add_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """No options."""


@dataclass
class Weight:
    requests: int = 0
    raw: int = 0
    gzipped: int = 0
    foreign: list[str] = field(default_factory=list)
    by_type: dict[str, int] = field(default_factory=dict)

    def row_value(self) -> str:
        kinds = ", ".join(f"{k} {v / 1024:.1f}" for k, v in sorted(self.by_type.items(), key=lambda i: -i[1]))
        return (
            f"{self.gzipped / 1024:.1f} KB gzip, {self.raw / 1024:.1f} KB raw, {self.requests} requests"
            f" (raw KB: {kinds})"
        )


def weigh(browser: Any, origin: str, visit: Callable[[Any], None]) -> Weight:
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    weight = Weight()

    def seen(request: Any) -> None:
        if not request.url.startswith((origin, "data:", "blob:")):
            weight.foreign.append(request.url)

    def finished(response: Any) -> None:
        try:
            body = response.body()
        except Exception:  # a redirect or an aborted request has no body
            body = b""
        weight.requests += 1
        weight.raw += len(body)
        weight.gzipped += len(gzip.compress(body, 6)) if len(body) >= 1024 else len(body)
        kind = response.request.resource_type
        weight.by_type[kind] = weight.by_type.get(kind, 0) + len(body)

    context.on("request", seen)
    context.on("response", finished)
    page = context.new_page()
    visit(page)
    page.wait_for_load_state("networkidle")
    context.close()
    return weight


def staff(url: str, token: str, method: str, path: str, payload: Any) -> Any:
    request = urllib.request.Request(
        url + path,
        data=json.dumps(payload).encode(),
        method=method,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def mode_of(url: str) -> str:
    with urllib.request.urlopen(url + "api/today", timeout=30) as response:
        return str(json.loads(response.read())["mode"])


def page_at(url: str) -> Callable[[Any], None]:
    return lambda page: page.goto(url)


def exam_today(stack: Any) -> Any:
    """A period examining today all day, created through the staff API (so the server's period
    cache learns of it at once), with the demo paper (50 real-length questions) and one
    registered candidate, who is returned."""
    from ops.demo import demo_paper
    from tests.support.exam_data import exam_today_body, person, register

    body = exam_today_body("页面体积测试期次")
    period_id = staff(stack.url, stack.staff_token, "POST", "api/admin/periods", body)["period"]["id"]
    staff(stack.url, stack.staff_token, "PUT", f"api/admin/periods/{period_id}/paper", demo_paper())
    rt = stack.runtime()
    candidate = person(7)
    register(rt, rt.periods.get(period_id), candidate)
    return candidate


def run(args: argparse.Namespace) -> list[Row]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.support.periods import open_registration_today
    from tests.support.stack import local_stack

    weights: dict[str, Weight] = {}
    with children_print_to_stderr(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Two stacks: a period examining today cannot be created beside one open for registration.
        with local_stack() as stack:
            origin = stack.url.rstrip("/")
            assert mode_of(stack.url) == "closed"
            weights["/ (closed)"] = weigh(browser, origin, page_at(stack.url))
            weights["/lookup"] = weigh(browser, origin, page_at(stack.url + "lookup"))
            weights["/faq"] = weigh(browser, origin, page_at(stack.url + "faq"))
            open_registration_today(stack)
            assert mode_of(stack.url) == "register"
            weights["/ (register)"] = weigh(browser, origin, page_at(stack.url))
        with local_stack() as stack:
            origin = stack.url.rstrip("/")
            candidate = exam_today(stack)
            assert mode_of(stack.url) == "exam"
            weights["/ (exam entry)"] = weigh(browser, origin, page_at(stack.url))

            def sit(page: Any) -> None:
                page.goto(stack.url)
                page.fill("#exam-id", candidate.id_number)
                # Entry proves who enters (contract v2): the ID number and the registered name.
                page.fill("#exam-entry [name=name]", candidate.name)
                page.click("#exam-entry button[type=submit]")
                page.locator("#exam-details").wait_for()
                page.fill("#exam-phone", candidate.phone)
                page.fill("#exam-email", candidate.email)
                page.click("#exam-details button[type=submit]")
                page.locator("#exam-q-meta", has_text="第 1 题").wait_for()

            weights["exam: entry to the first question"] = weigh(browser, origin, sit)
        browser.close()

    rows: list[Row] = []
    for name, weight in weights.items():
        say(f"{name}: {weight}")
        if name.startswith("exam:"):
            met = weight.gzipped <= EXAM_TARGET_GZIP
            rows.append(check(NAME, name, weight.row_value(), "<= 60 KB gzip", met))
        else:
            rows.append(info(NAME, name, weight.row_value()))
    foreign = [url for weight in weights.values() for url in weight.foreign]
    rows.append(check(NAME, "requests to another origin", str(len(foreign)), "0", not foreign))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    return standalone(sys.modules[__name__], argv)


if __name__ == "__main__":
    sys.exit(main())
