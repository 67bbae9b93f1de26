"""`python -m chalicelib.cli export PERIOD [--full]`: the same export, with a progress bar."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from chalicelib import runtime
from chalicelib.storage import aws
from ops import cli
from tests.conftest import beijing
from tests.support import mailbox
from tests.support.export_data import add_passers, make_period


def test_cli_exports_with_progress_then_finds_nothing_then_resends_with_full(
    api: Any, travel: Any, capsys: Any
) -> None:
    rt = runtime.current()
    aws.client("ses", rt.settings.ses_region).verify_email_identity(EmailAddress=rt.settings.ses_sender)
    travel(beijing(2026, 12, 18, 12))
    period = make_period(rt, dt.date(2026, 12, 18))
    add_passers(rt, period, range(3))
    travel(beijing(2026, 12, 21, 9))

    assert cli.main(["export", period.id]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out.strip().splitlines()[-1])["count"] == 3
    assert "读取通过人员" in err and "生成 Excel" in err and "标记已导出" in err and "3/3" in err

    assert cli.main(["export", period.id]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out.strip().splitlines()[-1])["count"] == 0
    assert "未发送邮件" in err

    assert cli.main(["export", period.id, "--full"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out.strip().splitlines()[-1])["count"] == 3
    assert len(mailbox.raw_emails(rt.settings.ses_region)) == 2


def test_cli_reports_an_unknown_period(api: Any, capsys: Any) -> None:
    assert cli.main(["export", "no-such-period"]) == 1
    assert "period_not_found" in capsys.readouterr().err
