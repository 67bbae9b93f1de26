import pytest

from tests.browser.screenshots import keep

pytestmark = [pytest.mark.browser]


def test_entry_page_renders_at_phone_width_with_nothing_from_another_origin(stack, phone):
    phone.goto(stack.url)
    mode = phone.locator("#today").get_attribute("data-mode")
    assert mode == "closed"
    assert "暂未开放报名" in phone.locator("h1").inner_text()
    # Nothing wider than the phone: no horizontal scrolling at 360 px.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    keep(phone, "12-closed")
