"""Short-lived signed links to the staff console's files (QR code, templates, the bank).

WeChat's browser cannot save a `blob:` download and no link can send the staff token's
Authorization header, so the console asks for a link that opens one file for a few minutes:
the file's own URL with `?link=...`. Signed with a key derived from the exam-token key (one
secret fewer to bootstrap, and a link can never pass for an exam token), bound to the path and
to the staff token it was asked with, so a revoked token's links stop with it.
"""

from __future__ import annotations

import hashlib
import hmac

from chalicelib import clock
from chalicelib.domain import tokens
from chalicelib.domain.errors import Unauthorized
from chalicelib.domain.staff import StaffMember
from chalicelib.runtime import Runtime
from chalicelib.services.exam import TOKEN_SECRET
from chalicelib.storage.secrets import hash_staff_token

_PURPOSE = b"staff-download-links"


def _secret(rt: Runtime) -> bytes:
    return hmac.new(rt.secrets.get(TOKEN_SECRET), _PURPOSE, hashlib.sha256).digest()


def issue(rt: Runtime, staff_token: str, path: str) -> tuple[str, str]:
    """(the link's token, when it expires as ISO 8601) opening `path` for this staff token."""
    key = rt.secrets.staff_key_for(staff_token)
    if key is None:
        raise Unauthorized("工作人员令牌无效或已吊销。")
    expires = clock.now().replace(microsecond=0) + tokens.LINK_LIFETIME
    link = tokens.DownloadLink(
        path=path, staff_key=key, token_hash=hash_staff_token(staff_token), expires_at=expires
    )
    return tokens.issue_link(_secret(rt), link), clock.iso(expires)


def staff_for(rt: Runtime, link: str, path: str) -> StaffMember:
    """The staff member whose link this is, when it opens `path` now; `Unauthorized` otherwise."""
    found = rt.secrets.staff_by_key(tokens.link_staff_key(link))
    if found is None:
        raise Unauthorized(tokens.LINK_REFUSED)
    token_hash, member = found
    tokens.verify_link(_secret(rt), link, path, token_hash, clock.now())
    return member
