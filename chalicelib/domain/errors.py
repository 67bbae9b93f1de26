"""Domain errors: each knows the contract's code, HTTP status and the Chinese message.

The web layer turns any `DomainError` into
`{"error": {"code", "message", "field"}}` in one place; storage turns AWS
refusals into these, so no botocore error ever reaches a route.
Messages are written for the candidate and say what to do next.
"""

from __future__ import annotations

from typing import Any


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
            "请核对身份证号与报名时填写的姓名（或手机号）；如仍无法进入，请联系工作人员。"
        )
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body = super().body()
        body["error"]["retry_after"] = self.retry_after
        return body

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class CalendarInvalid(DomainError):
    """422: a pasted holiday notice or a ticked list of days could not be read."""

    status = 422
    code = "calendar_invalid"
    default_message = "节假日安排无法识别，请粘贴国务院办公厅通知的原文，或逐日勾选。"

    def __init__(self, message: str | None = None, field: str | None = "notice") -> None:
        super().__init__(message, field=field)
