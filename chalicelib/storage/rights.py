"""Where rights requests are kept: one partition for the staff queue, one claim per open request.

Filing a request and its claim (person + kind) is one transaction, so a
candidate pressing twice, or two tabs at once, files one request. Answering
begins with one conditional write that takes the open request for one staff
member (`begin_answer`): only its winner e-mails the outcome, so two staff
answering at once send one e-mail. Closing is one transaction, on condition
the request is still open and still held by that staff member: the request
loses its name, e-mail and details (kept only as long as they are needed to
answer), and the claim goes, so the person may ask again. What remains of an answered
request is deleted by the retention schedule (`purge_closed`).
"""

from __future__ import annotations

import datetime as dt

from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain.errors import Conflict, NotFound, Unavailable
from chalicelib.domain.rights import ALREADY_ANSWERED, ALREADY_OPEN, NOT_FOUND, Outcome, RightsRequest
from chalicelib.storage import keys
from chalicelib.storage.dynamo import Transaction, applied, dynamodb_errors
from chalicelib.storage.models import ClaimItem
from chalicelib.storage.repository import Repository
from chalicelib.storage.staff_models import RightsRequestItem

QUEUE_LIMIT = 500


class RightsRequests:
    def __init__(self, repo: Repository) -> None:
        self._repo = repo

    def file(self, request: RightsRequest) -> None:
        """Store a new request, refused (`rights_request_open`) while one of its kind is open."""
        stamp = clock.iso(request.received_at)
        item = RightsRequestItem(
            keys.RIGHTS_PK,
            keys.rights_sk(stamp, request.id),
            request_id=request.id,
            person=request.person,
            kind=request.kind,
            status="open",
            received_at=stamp,
            answer_by=request.answer_by.isoformat(),
            id_number_masked=request.id_number_masked,
            name=request.name,
            email=request.email,
            details=request.details or None,
        )
        claim = ClaimItem(
            keys.rights_open_pk(request.person, request.kind), keys.CLAIM_SK, owner=item.sk, claimed_at=stamp
        )

        def build() -> Transaction:
            transaction = Transaction()
            transaction.put("open", claim, condition=ClaimItem.pk.does_not_exist())
            transaction.put("request", item, condition=RightsRequestItem.pk.does_not_exist())
            return transaction

        failed = self._repo.run(build)
        if "open" in failed:
            raise Conflict(ALREADY_OPEN, code="rights_request_open")
        if failed:
            raise Unavailable()

    def queue(self) -> list[RightsRequest]:
        """Every request kept, newest first (one Query; a few a month)."""
        with dynamodb_errors():
            items = RightsRequestItem.query(
                keys.RIGHTS_PK,
                RightsRequestItem.sk.startswith(keys.RIGHTS_SK_PREFIX),
                scan_index_forward=False,
                limit=QUEUE_LIMIT,
                consistent_read=True,
            )
            return [_request(item) for item in items]

    def find(self, request_id: str) -> RightsRequest:
        found = next((r for r in self.queue() if r.id == request_id), None)
        if found is None:
            raise NotFound(NOT_FOUND, code="rights_request_not_found")
        return found

    def begin_answer(self, request: RightsRequest, holder: str, now: dt.datetime, hold: dt.timedelta) -> bool:
        """Take the open request for answering until `now + hold` (one conditional update);
        False when it is answered or another answer holds it."""
        stamp = clock.iso(now)
        item = _item(request)
        condition = (RightsRequestItem.status == "open") & (
            RightsRequestItem.answering_until.does_not_exist() | (RightsRequestItem.answering_until < stamp)
        )
        actions: list[Action] = [
            RightsRequestItem.answering_by.set(holder),
            RightsRequestItem.answering_until.set(clock.iso(now + hold)),
        ]
        return applied(lambda: item.update(actions=actions, condition=condition))

    def release(self, request: RightsRequest, holder: str) -> None:
        """Give the request back (its e-mail failed), if still held by `holder`."""
        item = _item(request)
        actions: list[Action] = [
            RightsRequestItem.answering_by.remove(),
            RightsRequestItem.answering_until.remove(),
        ]
        applied(lambda: item.update(actions=actions, condition=RightsRequestItem.answering_by == holder))

    def close(
        self, request: RightsRequest, outcome: Outcome, staff: str, holder: str, now: dt.datetime
    ) -> RightsRequest:
        """Record the answer, on condition it is still open and held by `holder`; the personal details go."""
        stamp = clock.iso(now)
        item = _item(request)

        def build() -> Transaction:
            transaction = Transaction()
            transaction.update(
                "request",
                item,
                actions=[
                    RightsRequestItem.status.set(outcome.status),
                    RightsRequestItem.closed_at.set(stamp),
                    RightsRequestItem.closed_by.set(staff),
                    RightsRequestItem.note.set(outcome.note),
                    RightsRequestItem.name.remove(),
                    RightsRequestItem.email.remove(),
                    RightsRequestItem.details.remove(),
                    RightsRequestItem.answering_by.remove(),
                    RightsRequestItem.answering_until.remove(),
                ],
                condition=(RightsRequestItem.status == "open") & (RightsRequestItem.answering_by == holder),
            )
            transaction.delete(
                "claim",
                ClaimItem(keys.rights_open_pk(request.person, request.kind), keys.CLAIM_SK),
                condition=ClaimItem.owner == item.sk,
            )
            return transaction

        failed = self._repo.run(build)
        if "request" in failed:
            raise Conflict(ALREADY_ANSWERED, code="rights_request_answered")
        if failed:
            raise Unavailable()
        return RightsRequest(
            id=request.id,
            person=request.person,
            kind=request.kind,
            details="",
            received_at=request.received_at,
            answer_by=request.answer_by,
            name="",
            id_number_masked=request.id_number_masked,
            email="",
            status=outcome.status,
            closed_at=now,
            closed_by=staff,
            note=outcome.note,
        )

    def purge_closed(self, through: dt.date, limit: int) -> tuple[int, bool]:
        """Delete up to `limit` answered requests closed on or before `through` (Beijing date);
        how many, and whether none is left.

        A request is closed after it was received, so only keys received by then
        are read. Each delete holds only while the request is as read (answered)."""
        deleted = 0
        with dynamodb_errors():
            items = RightsRequestItem.query(
                keys.RIGHTS_PK,
                RightsRequestItem.sk.between(keys.RIGHTS_SK_PREFIX, keys.rights_sk_received_through(through)),
                consistent_read=True,
                attributes_to_get=["pk", "sk", "status", "closed_at"],
            )
            for item in items:
                if item.status == "open" or item.closed_at is None:
                    continue
                if clock.parse_iso(item.closed_at).date() > through:
                    continue
                if deleted >= limit:
                    return deleted, False
                if _delete_if_closed_at(item.sk, item.closed_at):
                    deleted += 1
        return deleted, True


def _delete_if_closed_at(sk: str, closed_at: str) -> bool:
    item = RightsRequestItem(keys.RIGHTS_PK, sk)
    return applied(lambda: item.delete(condition=RightsRequestItem.closed_at == closed_at))


def _item(request: RightsRequest) -> RightsRequestItem:
    return RightsRequestItem(keys.RIGHTS_PK, keys.rights_sk(clock.iso(request.received_at), request.id))


def _request(item: RightsRequestItem) -> RightsRequest:
    return RightsRequest(
        id=item.request_id,
        person=item.person,
        kind=item.kind,  # type: ignore[arg-type]
        details=item.details or "",
        received_at=clock.parse_iso(item.received_at),
        answer_by=dt.date.fromisoformat(item.answer_by),
        name=item.name or "",
        id_number_masked=item.id_number_masked,
        email=item.email or "",
        status=item.status,  # type: ignore[arg-type]
        closed_at=clock.parse_iso(item.closed_at) if item.closed_at else None,
        closed_by=item.closed_by,
        note=item.note,
    )
