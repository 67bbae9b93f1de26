"""What the system writes in its e-mails: short plain Chinese texts.

Staff receive the passers' export (and a warning when the deadline nears
with passers not yet entered into the city's system); candidates receive a confirmation after
registering, a reminder the working day before the exam, and their result.
A candidate's e-mail goes to their own address, yet it is still a
candidate-facing surface: the ID number and phone appear masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chalicelib.clock import BEIJING
from chalicelib.domain.contacts import CONTACTS
from chalicelib.domain.entries import EntryCounts
from chalicelib.domain.export import ExportPart
from chalicelib.domain.feedback import feedback_lines
from chalicelib.domain.identity import Contact, mask_email, mask_id_number, mask_phone
from chalicelib.domain.papers import DEFAULT_PASS_MARK
from chalicelib.domain.periods import Period
from chalicelib.domain.registrations import Change, ExamResult, Registration
from chalicelib.domain.text import one_line

SIGNATURE = "北京市人力资源服务行业协会"
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Mail:
    """An e-mail's text. The subject is kept on one line whatever it quotes (a period's
    name from before names were checked, say): a line break, U+2028 or a control
    character in a header makes the message impossible to build."""

    subject: str
    body: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "subject", one_line(self.subject))


def chinese_date(day: dt.date) -> str:
    """`2026年12月18日（星期五）`."""
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def exam_time(period: Period) -> str:
    """`2026年12月18日（星期五） 09:00–11:00`: how every candidate surface writes an exam's time."""
    start, end = period.exam_start.strftime("%H:%M"), period.exam_end.strftime("%H:%M")
    return f"{chinese_date(period.exam_date)} {start}–{end}"


def _deadline_text(deadline: dt.date | None) -> str:
    if deadline is None:
        return "考试后第 5 个工作日（该年节假日安排尚未录入系统，请自行核对日期）"
    return f"{chinese_date(deadline)}（考试后第 5 个工作日）"


def _lines(*parts: str) -> str:
    return "\n".join(parts) + "\n"


# Staff ---------------------------------------------------------------------


def export_mail(
    period: Period,
    count: int,
    deadline: dt.date | None,
    full: bool,
    attachments: tuple[str, str],
    keys: tuple[str, str],
    part: ExportPart | None = None,
    city: tuple[str, ...] = (),
    city_sheet: str = "",
) -> Mail:
    """The export e-mail: period, count, deadline, and what is attached.

    An export too large for one e-mail goes out in parts, each naming its rows;
    the archive keys are always those of the whole export. `city` names the files
    in the city's import template (sheet `city_sheet`), when staff have set one up."""
    what = "全部通过人员（重新发送）" if full else "新增通过人员"
    csv_name, xlsx_name = attachments
    due = deadline.isoformat() if deadline else "考试后第 5 个工作日"
    subject = f"【考试通过人员】{period.name}：{what} {count} 人，请于 {due} 前录入"
    share: tuple[str, ...] = ()
    if part is not None:
        subject += f"（第 {part.number}/{part.of} 封）"
        share = (
            f"本次导出人数较多，分 {part.of} 封邮件发送，这是第 {part.number} 封："
            f"第 {part.first}–{part.last} 人，共 {part.last - part.first + 1} 人。"
            f"请确认 {part.of} 封均已收到。",
        )
    return Mail(
        subject=subject,
        body=_lines(
            "各位老师好：",
            "",
            f"期次：{period.name}（考试日期 {period.exam_date.isoformat()}）",
            f"本次发送：{what} {count} 人",
            *share,
            f"录入截止：{_deadline_text(deadline)}",
            "",
            "请将附件中的人员录入北京市人力资源市场管理信息系统。",
            f"附件：{csv_name}（CSV，UTF-8）与 {xlsx_name}（Excel），内容相同；身份证号与手机号为文本格式。",
            *_city_lines(city, city_sheet),
            "以英文单引号 ' 开头的单元格是为防止公式注入而加的前缀，录入时请去掉该引号。",
            f"存档：{keys[0]}、{keys[1]}",
            "",
            "本邮件包含个人信息，请勿转发，录入完成后请妥善删除附件。",
            "",
            f"{SIGNATURE} 培训考试系统（自动发送）",
        ),
    )


def _city_lines(city: tuple[str, ...], sheet: str) -> tuple[str, ...]:
    if not city:
        return ()
    return (
        f"市系统导入文件（按市系统模板「{sheet}」的格式，可直接导入）：{len(city)} 个，"
        f"{'、'.join(city)}。人数较多时按每个文件的行数上限分为多个文件，请逐个导入。",
    )


def export_warning_mail(
    period: Period, counts: EntryCounts, deadline: dt.date | None, today: dt.date, reason: str | None
) -> Mail:
    """To staff, from the 4th working day after the exam, every day until every passer is entered
    into the city's system: how many are not, and how many of those have not even been exported."""
    late = deadline is not None and today > deadline
    headline = "已超过录入截止日期" if late else "录入截止日期临近"
    outstanding, unexported = counts.outstanding, counts.not_exported
    unexported_line: tuple[str, ...] = ()
    if unexported:
        unexported_line = (
            f"其中尚未导出：{unexported} 人。请检查发件设置与收件人配置，然后在管理接口 "
            "POST /api/admin/periods/{id}/export 或命令行",
            f"python -m chalicelib.cli export {period.id} 手动导出。",
        )
    return Mail(
        subject=f"【提醒】{period.name}：尚有 {outstanding} 名通过人员未录入市系统，{headline}",
        body=_lines(
            "各位老师好：",
            "",
            f"期次：{period.name}（考试日期 {period.exam_date.isoformat()}）",
            f"通过人员：{counts.passers} 人，已导出 {counts.exported} 人，已录入市系统 {counts.entered} 人",
            f"尚未录入市系统：{outstanding} 人",
            *unexported_line,
            f"录入截止：{_deadline_text(deadline)}",
            f"今天：{chinese_date(today)}",
            *((f"原因：{reason}",) if reason else ()),
            "",
            "录入北京市人力资源市场管理信息系统后，请在工作人员控制台「录入市系统」中标记已录入",
            "（可全部标记，或粘贴、上传市系统导出的身份证号）。全部标记后本提醒停止。",
            "",
            f"{SIGNATURE} 培训考试系统（自动发送）",
        ),
    )


def export_failed_mail(
    period: Period, pending: int, deadline: dt.date | None, today: dt.date, reason: str
) -> Mail:
    """To staff: this period's export failed tonight (the other periods' went out as usual)."""
    return Mail(
        subject=f"【警告】{period.name}：导出失败，尚有 {pending} 名通过人员未导出",
        body=_lines(
            "各位老师好：",
            "",
            f"期次：{period.name}（考试日期 {period.exam_date.isoformat()}，编号 {period.id}）",
            f"本期导出失败，尚未导出的通过人员：{pending} 人（均未标记为已导出，不会遗漏）",
            f"录入截止：{_deadline_text(deadline)}",
            f"今天：{chinese_date(today)}",
            f"原因：{reason}",
            "",
            "其他期次的导出照常进行，不受影响。问题排除后，下一次定时导出会自动发送本期；",
            "也可在管理接口 POST /api/admin/periods/{id}/export 或命令行",
            f"python -m chalicelib.cli export {period.id} 手动导出。",
            "",
            f"{SIGNATURE} 培训考试系统（自动发送）",
        ),
    )


# Candidates ----------------------------------------------------------------


def _identity_lines(contact: Contact) -> tuple[str, ...]:
    return (
        f"姓名：{contact.name}",
        f"身份证号：{mask_id_number(contact.id_number)}",
        f"手机号：{mask_phone(contact.phone)}",
    )


def _links(public_url: str) -> tuple[str, ...]:
    if not public_url:
        return ("忘记考试时间可在报名页面的「查询报名」中查看。",)
    root = public_url if public_url.endswith("/") else public_url + "/"
    return (
        f"考试入口（与报名为同一二维码）：{root}",
        f"查询报名与成绩：{root}lookup",
        f"常见问题：{root}faq",
    )


def _exam_opening(
    period: Period, contact: Contact, intro: str, time_label: str = "考试时间"
) -> tuple[str, ...]:
    """The greeting, why the mail came, and the exam's time and notes: how every period mail begins."""
    return (
        f"{contact.name}，您好：",
        "",
        intro,
        f"{time_label}：{exam_time(period)}",
        f"注意事项：{period.notes or '无'}",
    )


def confirmation_mail(period: Period, contact: Contact, public_url: str, notice: str = "") -> Mail:
    """After registration: the exam's date, time and notes, and the privacy notice agreed to."""
    return Mail(
        subject=f"报名成功：{period.name}，考试时间 {exam_time(period)}",
        body=_lines(
            *_exam_opening(period, contact, f"您已成功报名「{period.name}」。"),
            "",
            *_identity_lines(contact),
            "",
            "考试当天请在考试时间内扫描报名时的二维码进入考试，输入身份证号和报名时填写的姓名即可开始答题。",
            f"考试为开卷考试，共 35 道单选题和 15 道多选题，{DEFAULT_PASS_MARK} 分及格。",
            *_links(public_url),
            "",
            *((notice, "") if notice else ()),
            CONTACTS,
            SIGNATURE,
        ),
    )


def reminder_mail(period: Period, contact: Contact, public_url: str) -> Mail:
    """The working day before the exam."""
    return Mail(
        subject=f"考试提醒：{period.name} 将于 {exam_time(period)} 举行",
        body=_lines(
            *_exam_opening(period, contact, f"您报名的「{period.name}」即将举行。"),
            "",
            "请提前准备好课程资料，保持手机电量充足、网络畅通；",
            "考试时间内扫描报名时的二维码，输入身份证号和报名时填写的姓名即可进入考试。答题过程会自动保存。",
            *_links(public_url),
            "",
            CONTACTS,
            SIGNATURE,
        ),
    )


def exam_changed_mail(period: Period, contact: Contact, public_url: str) -> Mail:
    """Staff corrected the exam's time: every registered candidate learns the new one."""
    return Mail(
        subject=f"考试时间变更：{period.name} 改为 {exam_time(period)}",
        body=_lines(
            *_exam_opening(
                period, contact, f"您报名的「{period.name}」考试时间已调整，请以本邮件为准。", "新的考试时间"
            ),
            "",
            "您的报名依然有效，无需重新报名。考试时间内扫描报名时的二维码即可进入考试。",
            *_links(public_url),
            "",
            CONTACTS,
            SIGNATURE,
        ),
    )


def result_mail(period: Period, contact: Contact, result: ExamResult, public_url: str) -> Mail:
    """After submitting: the score and what happens next."""
    if result.passed:
        verdict = "通过"
        next_step = (
            "恭喜您通过考试。协会工作人员将在考试后 5 个工作日内（不含周末和法定节假日）"
            "把您的信息录入北京市人力资源市场管理信息系统，无需再次报名。"
            "录入后，在「查询报名与成绩」中会显示“已录入市系统”和录入日期。"
        )
    else:
        verdict = "未通过"
        next_step = "请继续学习课程，并在下一期报名开放后（考试后的第一个工作日起）报名参加下一期考试。"
    return Mail(
        subject=f"考试成绩：{period.name} {result.score} 分，{verdict}",
        body=_lines(
            f"{contact.name}，您好：",
            "",
            f"您参加了「{period.name}」（{chinese_date(period.exam_date)}）。",
            f"成绩：{result.score} 分（{result.pass_mark} 分及格），{verdict}。",
            f"交卷时间：{result.submitted_at.astimezone(BEIJING).strftime('%Y-%m-%d %H:%M:%S')}",
            "",
            next_step,
            *feedback_lines(result),
            *_links(public_url),
            "",
            CONTACTS,
            SIGNATURE,
        ),
    )


def details_changed_mail(period: Period, changes: tuple[Change, ...]) -> Mail | None:
    """To the previously registered address: the phone or e-mail was changed at submission.

    Only the latest submission's changes, the new values masked, no ID number:
    the reader may be the real candidate finding someone else used their ID.
    """
    if not changes:
        return None
    latest = max(change.at for change in changes)
    lines = []
    for change in changes:
        if change.at != latest:
            continue
        if change.field == "phone":
            lines.append(f"手机号已改为：{mask_phone(change.new)}")
        elif change.field == "email":
            lines.append(f"电子邮箱已改为：{mask_email(change.new)}")
    if not lines:
        return None
    return Mail(
        subject=f"报名信息变更通知：{period.name}",
        body=_lines(
            "您好：",
            "",
            f"您报名「{period.name}」时登记的联系方式，已在 "
            f"{latest.astimezone(BEIJING).strftime('%Y-%m-%d %H:%M')} 交卷时被修改：",
            *lines,
            "",
            "如果这是您本人的操作，无需处理。",
            "如果不是您本人操作，说明他人可能使用了您的身份信息参加考试，请尽快联系工作人员。",
            "",
            CONTACTS,
            SIGNATURE,
        ),
    )


# Rights requests -------------------------------------------------------------


def _copy_lines(entries: list[tuple[Period, Registration]]) -> tuple[str, ...]:
    """Every detail the system holds about the person, period by period: their own copy (Art. 45).

    In full: it goes only to the address they registered, at their request."""
    lines: list[str] = ["", "—— 您的个人信息副本 ——"]
    for period, registration in entries:
        contact = registration.contact
        lines += [
            "",
            f"期次：{period.name}（考试日期 {period.exam_date.isoformat()}）",
            f"姓名：{contact.name}",
            f"身份证号：{contact.id_number}",
            f"手机号：{contact.phone}",
            f"电子邮箱：{contact.email}",
            f"报名时间：{_at(registration.registered_at)}",
        ]
        if registration.started_at:
            lines.append(f"进入考试：{_at(registration.started_at)}")
        if registration.result is not None:
            result = registration.result
            verdict = "通过" if result.passed else "未通过"
            lines.append(
                f"成绩：{result.score} 分（{result.pass_mark} 分及格），{verdict}；"
                f"交卷 {_at(result.submitted_at)}"
            )
            lines.append(f"作答：{_answers(registration.answers)}")
        if registration.exported_at:
            lines.append(f"已导出供录入市系统：{_at(registration.exported_at)}")
        for change in registration.changes:
            lines.append(f"修改记录：{_at(change.at)} {change.field}：{change.old} → {change.new}")
        for consent in registration.consents:
            lines.append(f"同意记录：{consent.purpose} 版本 {consent.version}，{_at(consent.at)}")
    return tuple(lines)


def _at(instant: dt.datetime) -> str:
    return instant.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _answers(answers: Mapping[str, Sequence[str]]) -> str:
    return "；".join(f"{qid} {''.join(chosen)}" for qid, chosen in sorted(answers.items())) or "无"


def rights_outcome_mail(
    name: str,
    kind_label: str,
    received_at: dt.datetime,
    done: bool,
    note: str,
    handler: str,
    copy: list[tuple[Period, Registration]] | None = None,
) -> Mail:
    """The answer to a rights request: what was asked, what was done (or why not), and a copy if asked."""
    verdict = "已办理" if done else "不予办理"
    return Mail(
        subject=f"个人信息权利申请答复：{kind_label}，{verdict}",
        body=_lines(
            f"{name}，您好：",
            "",
            f"您于 {_at(received_at)} 提出的申请「{kind_label}」{verdict}。",
            f"答复：{note}",
            *(_copy_lines(copy) if copy else ()),
            "",
            "本邮件包含您的个人信息，请妥善保管。如对答复有异议，或不是您本人提出的申请，请联系我们。",
            CONTACTS,
            handler,
        ),
    )
