"""The console's city import template in Chromium: staff upload the city's blank workbook, see its
columns with suggested fields, are told which column a refusal names, save the mapping; every
state has 0 axe violations, on a desk and on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.api.test_city_template import AGENCY, HEADER, SHEET, XLSX, city_template
from tests.browser.axe import assert_accessible
from tests.browser.test_admin_console import fits, sign_in
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser]


def choose(page: Any, name: str, data: bytes, mime: str = XLSX) -> None:
    page.set_input_files("#city-file", files=[{"name": name, "mimeType": mime, "buffer": data}])


def field(page: Any, letter: str) -> Any:
    return page.locator(f'#city-columns tr[data-column="{letter}"] select')


def test_staff_upload_the_template_map_its_columns_and_save(stack: Stack, desk: Any) -> None:
    sign_in(desk, stack)
    desk.click("#admin-nav a[data-nav=city]")
    expect(desk.locator("#view-city")).to_be_visible()
    expect(desk.locator("#city-status")).to_contain_text("尚未上传")
    expect(desk.locator("#city-mapping")).to_be_hidden()
    assert_accessible(desk, "city template, none yet")

    # Nothing chosen, then an old .xls: refused at the file field, announced.
    desk.click("#city-upload-submit")
    error = desk.locator('#city-upload [data-error-for="template"]')
    expect(error).to_contain_text("请先选择")
    choose(desk, "导入模板.xls", b"\xd0\xcf\x11\xe0old", "application/vnd.ms-excel")
    desk.click("#city-upload-submit")
    expect(error).to_contain_text("另存为 .xlsx")
    assert error.get_attribute("role") == "alert"
    assert desk.locator("#city-file").get_attribute("aria-invalid") == "true"
    assert_accessible(desk, "city template, refused upload")

    choose(desk, "导入模板.xlsx", city_template())
    desk.click("#city-upload-submit")
    expect(desk.locator("#city-flash")).to_contain_text(f"工作表「{SHEET}」，共 {len(HEADER)} 列")
    expect(desk.locator("#city-status")).to_contain_text("尚未保存")
    expect(desk.locator("#city-facts")).to_contain_text(SHEET)
    expect(desk.locator("#city-header-row")).to_have_value("2")
    rows = desk.locator("#city-columns tbody tr")
    expect(rows).to_have_count(len(HEADER))
    expect(rows.nth(1)).to_contain_text("身份证号码")
    # The header's words preselect the fields; the agency and the notes have none.
    expect(field(desk, "B")).to_have_value("id_number")
    expect(field(desk, "D")).to_have_value("sex")
    expect(field(desk, "G")).to_have_value("")
    assert_accessible(desk, "city template, columns")

    # Saving with two columns unchosen names both.
    desk.click("#city-save")
    missing = desk.locator('#city-mapping [data-error-for="columns"]')
    expect(missing).to_contain_text("「G」列（培训机构）")
    expect(missing).to_contain_text("「I」列（备注）")
    assert_accessible(desk, "city template, columns missing")

    # A fixed text left empty is refused at that column's text box.
    field(desk, "G").select_option("fixed")
    text = desk.locator("#city-text-6")
    expect(text).to_be_visible()
    field(desk, "I").select_option("empty")
    desk.click("#city-save")
    text_error = desk.locator('#city-mapping [data-error-for="columns[6].text"]')
    expect(text_error).to_contain_text("请填写要写入的文字")
    assert text.get_attribute("aria-invalid") == "true"
    assert_accessible(desk, "city template, fixed text missing")

    text.fill(AGENCY)
    desk.click("#city-save")
    expect(desk.locator("#city-flash")).to_contain_text("已保存各列对应的内容")
    expect(desk.locator("#city-status")).to_contain_text("已启用")
    expect(desk.locator("#city-facts")).to_contain_text("已保存")

    # A reload shows what was saved, from the server.
    desk.reload()
    expect(field(desk, "G")).to_have_value("fixed")
    expect(desk.locator("#city-text-6")).to_have_value(AGENCY)
    expect(field(desk, "I")).to_have_value("empty")
    assert_accessible(desk, "city template, saved")

    desk.click("#city-remove")
    expect(desk.locator("#city-flash")).to_contain_text("已停用模板")
    expect(desk.locator("#city-mapping")).to_be_hidden()
    expect(desk.locator("#city-status")).to_contain_text("尚未上传")


def test_on_a_phone_the_columns_fit_and_have_no_axe_violation(stack: Stack, phone: Any) -> None:
    sign_in(phone, stack)
    phone.goto(stack.url + "admin#city")
    choose(phone, "导入模板.xlsx", city_template())
    phone.click("#city-upload-submit")
    expect(phone.locator("#city-columns tbody tr")).to_have_count(len(HEADER))
    phone.locator("#city-columns tr[data-column=G] select").select_option("fixed")
    assert_accessible(phone, "city template on a phone")
    fits(phone, 360)
