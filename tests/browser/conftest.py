"""Browser tests: Debian's Chromium driven by Playwright, at a phone's 360x740 (the staff
console also on a desktop's 1280x800)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.support.stack import Stack, local_stack

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium phones home at start and this closed network refuses it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def stack() -> Iterator[Stack]:
    with local_stack() as running:
        yield running


@contextmanager
def browser_page(**context_options: Any) -> Iterator[Any]:
    """A Chromium page that fails the test on any request to another origin."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", **context_options)
        foreign: list[str] = []

        def watch(request: Any) -> None:
            if not request.url.startswith(("http://127.0.0.1:", "data:", "blob:")):
                foreign.append(request.url)

        context.on("request", watch)
        page = context.new_page()
        yield page
        context.close()
        browser.close()
        assert not foreign, f"pages loaded from another origin: {foreign}"


@pytest.fixture
def phone() -> Iterator[Any]:
    """A page in a 360x740 phone viewport; fails the test on any request to another origin."""
    with browser_page(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=(
            "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.40"
        ),
    ) as page:
        yield page


@pytest.fixture
def desk() -> Iterator[Any]:
    """A page in a 1280x800 desktop window (the staff console's office computer)."""
    with browser_page(viewport={"width": 1280, "height": 800}) as page:
        yield page
