"""The command line: bootstrap is idempotent; staff tokens print once and are stored hashed."""

from __future__ import annotations

import re

import pytest

from ops import cli
from tests.support import mailbox


# Bootstrap rightly refuses plain SMTP on a stage that is not emulated, and the in-process mock has no
# endpoint to show it is: over SMTP (`make test-smtp`) this one runs in the SES pass only.
@pytest.mark.skipif(mailbox.SMTP_UNDER_TEST, reason="plain SMTP is refused outside an emulated stage")
def test_bootstrap_twice_exits_0_and_the_second_run_creates_nothing(aws_env, capsys):
    # aws_env has bootstrapped once already; run it twice more through the CLI.
    assert cli.main(["bootstrap"]) == 0
    first = capsys.readouterr().out
    assert cli.main(["bootstrap"]) == 0
    second = capsys.readouterr().out
    assert "found    table hr-exam-local" in second
    assert "found    bucket hr-exam-local" in second
    assert not re.search(r"^created", second, re.MULTILINE)
    assert first.splitlines() == second.splitlines()


def test_bootstrap_creates_on_an_empty_account(restored_environ, monkeypatch, capsys):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    from moto import mock_aws

    from chalicelib import runtime
    from chalicelib.storage import aws

    with mock_aws():
        runtime.reset()
        aws.reset_clients()
        assert cli.main(["bootstrap"]) == 0
        out = capsys.readouterr().out
    runtime.reset()
    aws.reset_clients()
    assert "created  table hr-exam-local" in out
    assert "created  bucket hr-exam-local" in out


def test_staff_token_create_prints_the_token_on_the_last_line(aws_env, capsys):
    assert cli.main(["staff-token", "create", "alice"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("hrx_") and len(token) > 40
    from chalicelib import runtime

    assert runtime.current().secrets.staff_name_for(token) == "alice"
    assert cli.main(["staff-token", "list"]) == 0
    assert "alice" in capsys.readouterr().out.split()
    assert cli.main(["staff-token", "revoke", "alice"]) == 0
    assert runtime.current().secrets.staff_name_for(token) is None


def test_staff_token_names_may_be_chinese_and_carry_a_role(aws_env, capsys):
    from chalicelib import runtime
    from chalicelib.domain.staff import Role

    assert cli.main(["staff-token", "create", "李老师", "--role", "viewer"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert runtime.current().secrets.staff_for(token).role == Role.VIEWER
    assert cli.main(["staff-token", "create", "张 主任"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert runtime.current().secrets.staff_for(token).role == Role.ADMIN
    assert cli.main(["staff-token", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["张 主任\tadmin", "李老师\tviewer"]
    assert cli.main(["staff-token", "revoke", "李老师"]) == 0


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, "a\nb", "a/b"])
def test_staff_token_names_out_of_rule_are_refused(aws_env, capsys, name):
    assert cli.main(["staff-token", "create", name]) == 2


def test_staff_token_name_is_checked(aws_env, capsys):
    assert cli.main(["staff-token", "create", "bad name/../x"]) == 2
