"""Domain errors: each knows the contract's code, HTTP status and the Chinese message.

The web layer turns any `DomainError` into
`{"error": {"code", "message", "field"}}` in one place; storage turns AWS
refusals into these, so no botocore error ever reaches a route.
Messages are written for the candidate and say what to do next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.domain.contacts import CONTACT_STAFF

if TYPE_CHECKING:
    from chalicelib.domain.registrations import ExamResult, Registration


class DomainError(Exception):
    """A refusal the candidate or staff member can act on."""

    status = 409
    code = "conflict"
    default_message = "请求与当前状态冲突，请刷新页面后重试。"

    def __init__(
        self,
        message: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        code: str | None = None,
    ) -> None:
        if code:
            self.code = code
        self.message = message or self.default_message
        self.field = field
        # Contract fields that travel beside "error" (e.g. "result" of already_submitted).
        self.extra = extra or {}
        super().__init__(f"{self.code}: {self.field or ''}")

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return {"error": error, **self.extra}

    def headers(self) -> dict[str, str]:
        """Response headers the refusal carries (e.g. `Retry-After`)."""
        return {}


class BadRequest(DomainError):
    status = 400
    code = "bad_request"
    default_message = "请求格式不正确：请求体必须是 JSON 对象。请刷新页面后重试。"


class Invalid(DomainError):
    """422: one input field is missing or does not pass its rule."""

    status = 422
    code = "invalid"
    default_message = "填写的内容有误，请检查后重新提交。"

    def __init__(self, field: str, message: str | None = None) -> None:
        super().__init__(message, field=field)


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    default_message = "身份验证失败或已过期，请重新登录或重新进入考试。"


class Forbidden(DomainError):
    """403: a valid staff token whose role may not use this route."""

    status = 403
    code = "forbidden"
    default_message = "您的工作人员角色无权执行此操作，请联系管理员。"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = "没有找到相关记录，请核对后重试。"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Unavailable(DomainError):
    """503: a dependency failed; the same request may safely be retried."""

    status = 503
    code = "unavailable"
    default_message = "系统繁忙，请稍候片刻再试。您填写的内容不会丢失，重试是安全的。"


class CalendarUnknown(Conflict):
    """The working-day calendar has no data for a year yet (the library lags the State Council)."""

    code = "calendar_unknown"

    def __init__(self, year: int, field: str | None = None) -> None:
        super().__init__(
            f"{year} 年的法定节假日安排尚未录入系统，暂时无法计算工作日。"
            f"请工作人员在管理后台的「工作日日历」页面录入 {year} 年的节假日安排"
            f"（粘贴国务院办公厅的通知即可）后重试。",
            field=field,
        )
        self.year = year


class TooManyAttempts(DomainError):
    """429: too many failed entries or lookups for one ID number from one address.

    Carries `retry_after` (seconds) in the error object; the web layer adds
    the `Retry-After` header from it.
    """

    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            f"尝试次数过多，为保护您的个人信息，请约 {minutes} 分钟后再试。"
            "请核对身份证号与报名时填写的姓名（或手机号）；如仍无法进入，" + CONTACT_STAFF + "。"
        )
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body = super().body()
        body["error"]["retry_after"] = self.retry_after
        return body

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class TooManyAtOnce(TooManyAttempts):
    """429 `too_many_attempts` for a burst: more than five requests of one pair in ten seconds.

    Same code and shape as the failure lock, but the wait is the rest of a ten-second window,
    not minutes, and nothing was locked: the message says so in seconds.
    """

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.message = (
            f"操作过于频繁，请 {retry_after} 秒后再试。"
            "请核对身份证号与报名时填写的姓名（或手机号）后再提交一次，无需反复点击。"
        )


class CalendarInvalid(DomainError):
    """422: a pasted holiday notice or a ticked list of days could not be read."""

    status = 422
    code = "calendar_invalid"
    default_message = "节假日安排无法识别，请粘贴国务院办公厅通知的原文，或逐日勾选。"

    def __init__(self, message: str | None = None, field: str | None = "notice") -> None:
        super().__init__(message, field=field)


# Registration, the exam, papers, export and mail ------------------------------


class Duplicate(Conflict):
    """A unique value belongs to someone else (or this ID number is registered already)."""

    code = "duplicate"


class AlreadyPassed(Conflict):
    code = "already_passed"
    default_message = (
        "您已通过此前的考试，无需再次报名。通过人员的信息会在考试后 5 个工作日内"
        "录入北京市人力资源市场管理信息系统；成绩可在「查询报名与成绩」中查看。"
    )


class PeriodChanged(Conflict):
    """The cached period no longer matches the table (changed or gone): read again."""

    code = "registration_closed"


class AlreadySubmitted(Conflict):
    code = "already_submitted"
    default_message = "您已交卷，成绩如下，无需重复提交。"

    def __init__(self, result: ExamResult, attempt: Registration | None = None) -> None:
        super().__init__(extra={"result": result.public()})
        self.result = result
        # The submitted attempt as storage read it, when it did: what the exam service needs
        # to show the result with its feedback by topic without reading the attempt again.
        self.attempt = attempt


class SavedAnswersChanged(Unavailable):
    """A save landed between a submission's read of the saved answers and its write.

    The submission reads again and scores the answers with that save in it
    (services/exam.py); only when saves keep landing does the candidate see
    this, as the 503 it is: nothing was stored, and retrying is safe."""

    default_message = "交卷时答案仍在保存，尚未交卷。请稍候片刻再点击交卷，已作答的内容不会丢失。"


class NotRegistered(NotFound):
    """No registration for today's period, or a name that is not the registered one:
    the candidate cannot tell which (contract v2)."""

    code = "not_registered"
    default_message = (
        "没有找到与该身份证号和姓名对应的本期考试报名记录。请核对身份证号，并填写报名时的姓名；"
        "如未报名，请在下一个工作日起报名下一期考试。"
    )


class RegisteredForLaterPeriod(NotRegistered):
    """Today's exam entered by someone registered, name and all, for a later period: told
    when their own exam is, not to register again (same code as `NotRegistered`)."""

    def __init__(self, period_name: str, exam_time: str) -> None:
        super().__init__(
            f"您报名的是「{period_name}」，考试时间为 {exam_time}，不是今天的考试。"
            "您已报名，无需重新报名；请在该期考试当天扫描同一个二维码进入考试。"
        )


class PaperLocked(Conflict):
    code = "paper_locked"
    default_message = (
        "本期考试即将开始或已经开始，试卷不能再更换：考生作答的试卷和评分所用的试卷必须一致。"
        "如确需更换，请在考试开始前至少 1 分钟完成上传。"
    )


class PaperNotReady(Conflict):
    code = "paper_not_ready"
    default_message = "本期试卷尚未发布，请稍候片刻后刷新页面；如长时间无法开始，" + CONTACT_STAFF + "。"


class ExportRunning(Conflict):
    code = "export_running"
    default_message = "该期次的导出正在进行中，请稍后再试。"


class NotExamTime(Conflict):
    code = "not_exam_time"
    default_message = "今天没有安排考试。请在「查询报名与成绩」中查看您的考试日期和时间。"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    default_message = "提交的内容过大，请检查后重试。"


class NotAcceptable(DomainError):
    """A file download (QR code, workbook) asked for without accepting its type.

    API Gateway sends a binary body as bytes only when the request's Accept header names
    the type (browsers and download tools send `*/*`); otherwise the client would get base64
    text, so the download is refused, in the contract's shape rather than Chalice's own.
    """

    status = 406
    code = "not_acceptable"
    default_message = "无法按请求的格式提供该文件：请在 Accept 请求头中接受该文件类型（如 */*）后重新下载。"


class MailFailed(Unavailable):
    code = "mail_failed"
    default_message = (
        "邮件发送失败：邮件服务暂时不可用或拒绝了该邮件。没有任何记录被标记为已发送，请稍后重试。"
    )


class MailTooLarge(MailFailed):
    """A message SES would refuse for its size; `size` is its length in bytes.

    The export splits its files over several e-mails instead, so staff see
    this only when not even one passer per e-mail would fit."""

    code = "mail_too_large"
    default_message = (
        "导出邮件超过邮件服务 10 MB 的上限，无法发送。没有任何记录被标记为已发送；"
        "请联系技术人员（可从存储桶 exports/ 目录取得本次生成的文件）。"
    )

    def __init__(self, size: int = 0) -> None:
        super().__init__()
        self.size = size


class MailNotConfigured(Unavailable):
    code = "mail_not_configured"
    default_message = (
        "邮件发送未配置：请在该环境的配置中设置发件人（SES_SENDER）与收件人（EXPORT_RECIPIENTS）。"
    )


class PaperInvalid(DomainError):
    status = 422
    code = "paper_invalid"


class ExamDay(Conflict):
    code = "exam_day"
    default_message = (
        "今天是考试日，不办理报名。请在下一个工作日再来报名下一期考试；"
        "已报名今天考试的学员，请返回首页进入考试。"
    )


class RegistrationClosed(Conflict):
    code = "registration_closed"


class PeriodHasRegistrations(Conflict):
    """A period's exam date cannot move, nor the period go, once someone registered."""

    code = "period_has_registrations"
    default_message = (
        "该期次已有考生报名，不能删除或更改考试日期。如需调整，可修改考试时间或注意事项"
        "（已报名的考生会收到邮件通知），或新建一个期次。"
    )


# The helpdesk ------------------------------------------------------------------


class RegistrationNotFound(NotFound):
    code = "registration_not_found"
    default_message = "没有找到该报名记录，可能已被撤销或调期。请重新查询该人员。"


class RegistrationHasResult(Conflict):
    """Withdrawing, moving or giving time to a registration whose attempt is scored."""

    code = "registration_has_result"
    default_message = (
        "该报名已有考试成绩，不能撤销、调期或延时。如确属他人代考，请先作废该次作答；"
        "如属误判的自动交卷，请使用「恢复作答」。"
    )


class AttemptNotReopenable(Conflict):
    code = "attempt_not_reopenable"
    default_message = (
        "只能恢复被自动交卷且尚未导出的作答；考生本人提交的答卷不能恢复。如确属他人代考，请作废该次作答。"
    )


class AttemptVoided(Unauthorized):
    """An exam token of an attempt staff have voided since it was issued (its seed is gone)."""

    default_message = "这次作答已由工作人员作废，原考试凭证已失效。请重新输入身份证号和姓名进入考试。"


class NoAttempt(Conflict):
    code = "no_attempt"
    default_message = "该考生本期尚未开始作答，没有可作废的作答记录。"


class ClaimNotHeld(Conflict):
    """Releasing a phone or e-mail the person no longer holds."""

    code = "claim_not_held"
    default_message = "该人员已不再占用这个手机号或电子邮箱（可能已被释放或更正），无需再释放。请刷新后查看。"


class StaffExists(Conflict):
    """Creating a staff token under a name that already holds one (the console never replaces)."""

    code = "staff_exists"
    default_message = "该姓名已有工作人员凭证。如需更换，请先撤销原凭证，再重新创建。"


class StaffNotFound(NotFound):
    code = "staff_not_found"
    default_message = "没有找到该工作人员凭证，可能已被撤销。请刷新列表。"


class OwnStaffToken(Conflict):
    """An admin revoking the token they are using: they would lock themselves out mid-task."""

    code = "own_staff_token"
    default_message = "不能在控制台撤销自己正在使用的凭证；请由另一位管理员撤销，或在命令行中操作。"


# The city's import template -----------------------------------------------------


class CityTemplateInvalid(DomainError):
    """422: the uploaded template or the column mapping cannot be used; the message names
    the column as staff see it in Excel."""

    status = 422
    code = "city_template_invalid"
    default_message = "市系统导入模板无法使用：请上传市系统提供的空白 Excel 模板（.xlsx）。"

    def __init__(self, message: str | None = None, field: str | None = None) -> None:
        super().__init__(message, field=field)


class CityTemplateNotFound(NotFound):
    code = "city_template_not_found"
    default_message = "还没有上传市系统导入模板：请先在「市系统模板」页面上传市系统提供的空白模板。"


class CityTemplateChanged(Conflict):
    """The template was replaced while staff were mapping the one they had loaded."""

    code = "city_template_changed"
    default_message = "市系统导入模板刚刚被更换，请刷新页面，按新模板重新选择各列的字段。"


class BankInvalid(DomainError):
    """422: an import into the question bank; the message names the sheet, row and column."""

    status = 422
    code = "bank_invalid"


class BlueprintInvalid(DomainError):
    """422: a period's blueprint; the message names the row the bank cannot fill."""

    status = 422
    code = "blueprint_invalid"


class BankChanged(Conflict):
    """Two imports at the same moment: the later one would drop the earlier one's items unseen."""

    code = "bank_changed"
    default_message = "题库刚刚被其他工作人员修改，请刷新后重新导入。"


# Entry into the city's system ---------------------------------------------------


class EntriesInvalid(DomainError):
    """422: a list of ID numbers to mark entered (pasted, listed or uploaded) could not be used."""

    status = 422
    code = "entries_invalid"
    default_message = (
        "没有找到可标记的身份证号：请每行粘贴一个身份证号，或上传市系统导出的结果文件（.xlsx 或 .csv）。"
    )

    def __init__(self, message: str | None = None, field: str | None = "text") -> None:
        super().__init__(message, field=field)
