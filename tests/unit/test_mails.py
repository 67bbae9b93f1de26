"""The e-mail texts: what staff and candidates read."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from chalicelib.clock import BEIJING
from chalicelib.domain import mails
from chalicelib.domain.entries import EntryCounts
from chalicelib.domain.export import ExportPart
from chalicelib.domain.identity import Contact
from chalicelib.domain.registrations import ExamResult
from tests.unit.test_export_rules import PERIOD

PERSON = Contact(name="李四", id_number="11010119900101123X", phone="13912345678", email="li@example.com")


def test_chinese_date_names_the_weekday() -> None:
    assert mails.chinese_date(dt.date(2026, 12, 18)) == "2026年12月18日（星期五）"


def test_export_mail_states_period_count_and_deadline() -> None:
    mail = mails.export_mail(
        PERIOD, 12, dt.date(2026, 12, 25), False, ("a.csv", "a.xlsx"), ("exports/a.csv", "exports/a.xlsx")
    )
    assert "2026年12月考试" in mail.subject and "12 人" in mail.subject and "2026-12-25" in mail.subject
    assert "2026年12月25日（星期五）" in mail.body
    assert "a.csv" in mail.body and "a.xlsx" in mail.body


def test_full_export_mail_says_it_is_a_resend() -> None:
    mail = mails.export_mail(PERIOD, 3, None, True, ("a.csv", "a.xlsx"), ("k1", "k2"))
    assert "重新发送" in mail.subject
    assert "尚未录入" in mail.body  # an unknown calendar year is said, not guessed


def test_a_part_of_a_split_export_names_its_share_and_how_many_to_expect(tmp_path) -> None:
    part = ExportPart(2, 3, 40_001, 80_000, tmp_path / "p-part2of3.csv", tmp_path / "p-part2of3.xlsx")
    mail = mails.export_mail(
        PERIOD, 100_000, None, False, ("p-part2of3.csv", "p-part2of3.xlsx"), ("k1", "k2"), part=part
    )
    assert mail.subject.endswith("（第 2/3 封）") and "100000 人" in mail.subject
    assert "分 3 封邮件发送，这是第 2 封：第 40001–80000 人，共 40000 人" in mail.body
    assert "p-part2of3.csv" in mail.body and "k1" in mail.body


def test_warning_mail_says_how_many_are_not_entered_and_how_many_not_exported() -> None:
    counts = EntryCounts(passers=10, exported=8, entered=3)
    mail = mails.export_warning_mail(
        PERIOD, counts, dt.date(2026, 12, 25), dt.date(2026, 12, 24), "邮件发送失败"
    )
    assert "7 名" in mail.subject and "未录入市系统" in mail.subject and "临近" in mail.subject
    assert "尚未录入市系统：7 人" in mail.body and "其中尚未导出：2 人" in mail.body
    assert f"python -m chalicelib.cli export {PERIOD.id}" in mail.body and "原因：邮件发送失败" in mail.body
    assert "录入市系统」中标记" in mail.body
    late = mails.export_warning_mail(PERIOD, counts, dt.date(2026, 12, 25), dt.date(2026, 12, 28), None)
    assert "已超过" in late.subject and "原因" not in late.body


def test_warning_mail_with_everyone_exported_asks_only_for_the_entry() -> None:
    counts = EntryCounts(passers=5, exported=5, entered=4)
    mail = mails.export_warning_mail(PERIOD, counts, dt.date(2026, 12, 25), dt.date(2026, 12, 24), None)
    assert "1 名" in mail.subject and "尚未导出" not in mail.body and "chalicelib.cli export" not in mail.body


def test_confirmation_has_exam_date_time_and_notes_and_masks_identity() -> None:
    period = PERIOD.__class__(**{**PERIOD.__dict__, "notes": "请携带课程资料。"})
    mail = mails.confirmation_mail(period, PERSON, "https://exam.example.org/")
    assert "2026年12月18日（星期五） 09:00–11:00" in mail.body
    assert "请携带课程资料。" in mail.body
    assert "https://exam.example.org/lookup" in mail.body
    assert PERSON.id_number not in mail.body and PERSON.phone not in mail.body
    assert "110***********123X" in mail.body and "139****5678" in mail.body


def test_reminder_names_the_exam_time() -> None:
    mail = mails.reminder_mail(PERIOD, PERSON, "")
    assert "考试提醒" in mail.subject and "09:00–11:00" in mail.subject
    assert "查询报名" in mail.body  # without a public URL, the page is named instead


def test_the_confirmation_and_the_reminder_say_entry_takes_the_id_number_and_the_registered_name() -> None:
    # Contract v2: entry proves who enters with the ID number and the name as registered.
    for mail in (mails.confirmation_mail(PERIOD, PERSON, ""), mails.reminder_mail(PERIOD, PERSON, "")):
        assert "输入身份证号和报名时填写的姓名" in mail.body
        assert "输入身份证号即可" not in mail.body


def test_result_mail_for_a_pass_and_a_fail() -> None:
    at = dt.datetime(2026, 12, 18, 1, 30, tzinfo=dt.UTC)
    passed = mails.result_mail(PERIOD, PERSON, ExamResult(86, 60, True, at), "")
    assert "86 分" in passed.subject and "通过" in passed.subject
    assert "5 个工作日" in passed.body and "2026-12-18 09:30:00" in passed.body
    assert "不含周末和法定节假日" in passed.body and "已录入市系统" in passed.body
    failed = mails.result_mail(PERIOD, PERSON, ExamResult(40, 60, False, at.astimezone(BEIJING)), "")
    assert "未通过" in failed.subject and "下一期" in failed.body


BROKEN_NAMES = [
    "1月\n考试",
    "1月\r\n考试",
    "1月\u2028考试",
    "1月\u2029考试",
    "1月\x0b考试",
    "1月\x85考试",
    "\x01=1月",
]


@pytest.mark.parametrize("name", BROKEN_NAMES, ids=repr)
def test_every_subject_stays_on_one_line_and_builds_into_a_message(name: str, tmp_path) -> None:
    from chalicelib.storage.mail import Attachment, _raw_message

    period = dataclasses.replace(PERIOD, name=name)
    result = ExamResult(
        score=80, pass_mark=60, passed=True, submitted_at=dt.datetime(2026, 12, 18, 10, tzinfo=BEIJING)
    )
    built = [
        mails.export_mail(period, 1, dt.date(2026, 12, 25), False, ("a.csv", "a.xlsx"), ("k1", "k2")),
        mails.confirmation_mail(period, PERSON, "https://exam.example"),
        mails.reminder_mail(period, PERSON, "https://exam.example"),
        mails.result_mail(period, PERSON, result, "https://exam.example"),
        mails.export_warning_mail(
            period, EntryCounts(2, 2, 0), dt.date(2026, 12, 25), dt.date(2026, 12, 24), "原因"
        ),
        mails.export_failed_mail(period, 2, dt.date(2026, 12, 25), dt.date(2026, 12, 21), "原因"),
    ]
    attachment = tmp_path / "a.csv"
    attachment.write_bytes(b"x")
    for mail in built:
        assert not any(ch in mail.subject for ch in "\n\r\u2028\u2029\x0b\x85\x01")
        raw = _raw_message(
            "exam@example.com", ["staff@example.com"], mail, [Attachment("a\n.csv", attachment, "text/csv")]
        )
        assert raw.count(b"\r\nSubject: ") == 1


def test_the_header_builder_keeps_a_subject_on_one_line_even_when_handed_a_raw_one(tmp_path) -> None:
    from chalicelib.storage.mail import _raw_message

    mail = mails.Mail("x", "正文")
    object.__setattr__(mail, "subject", "坏\n标题\u2028\x0b")
    raw = _raw_message("exam@example.com", ["staff@example.com"], mail, [])
    assert b"Subject: " in raw
