"""Screenshots of each candidate step at a phone's 360 px, refreshed by the browser test that walks it.

`docs/screenshots/` keeps them so the association (and a reviewer) can see every screen a
candidate meets without running anything; each test that reaches a step calls `keep`, so a
change to a page shows in the next commit's pictures. Only the viewport is taken, scrolled to
the step's own element: what the phone shows at that moment, and a small file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.conftest import PROJECT

SHOTS = Path(PROJECT) / "docs" / "screenshots"

# The candidate's steps in the order a candidate meets them: file name -> what it shows.
STEPS = {
    "01-register-form": "报名表（登记日，二维码打开的页面）",
    "02-register-preview": "提交前核对信息",
    "03-registered": "报名成功，考试日期与时间",
    "04-duplicate-phone": "手机号已被使用：错误显示在该字段",
    "05-lookup": "报名查询结果",
    "06-exam-entry": "考试日：身份证号与姓名进入考试",
    "07-exam-details": "核对联系方式",
    "08-exam-question": "作答（倒计时、题号、保存状态）",
    "09-exam-review": "交卷前列出未作答的题",
    "10-exam-passed": "成绩：通过，5 个工作日内录入市系统",
    "11-exam-failed": "成绩：未通过，下一期再报名",
    "12-closed": "非报名日、非考试日：暂未开放",
}


def keep(page: Any, step: str, element: str | None = None) -> None:
    """Save what the phone shows now as `docs/screenshots/<step>.png` (360 px wide)."""
    assert step in STEPS, f"add {step!r} to STEPS and docs/screenshots/README.md"
    assert page.viewport_size["width"] == 360, "candidate screenshots are taken at 360 px"
    if element:
        page.locator(element).first.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    target = SHOTS / f"{step}.png"
    # Written whole, then renamed: parallel test processes never leave half a picture.
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(page.screenshot(type="png", animations="disabled", caret="hide"))
    partial.replace(target)
