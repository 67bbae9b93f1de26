"""What the emulator benchmarks share: a moto server in its own process, and bulk registrations.

The moto server runs in a child process (one request at a time, as
`make run`'s), so the benchmark's own threads and the emulator do not share
one interpreter lock. Registrations are seeded with BatchWriteItem: the same
items `Repository.register` writes (the registration with its name index and
consents, the phone and e-mail claims, the person, the queued confirmation,
the period's count), without one transaction each, which on moto would copy
the whole table per registration.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chalicelib.domain.identity import Contact
from chalicelib.domain.periods import Period


@contextmanager
def moto_process() -> Iterator[str]:
    """A moto server in a child process; yields its URL, with AWS_ENDPOINT_URL set to it and the
    local stage's settings in the environment, bootstrapped. Everything is put back afterwards."""
    from ops.devstack import free_port, wait_for
    from tests.support.stack import stage_on

    port = free_port()
    # The parent stops it (SIGTERM); an interrupt meant for something else must not.
    code = (
        "import signal, sys, time; from ops.devstack import MotoServer;"
        "signal.signal(signal.SIGINT, signal.SIG_IGN);"
        "MotoServer(int(sys.argv[1])).start(); time.sleep(86400)"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(port)], start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/moto-api/")
        with stage_on(url):
            yield url
    finally:
        child.terminate()
        child.wait(10)


@contextmanager
def patient_dynamodb(read_timeout: int = 900) -> Iterator[None]:
    """The app's DynamoDB client with a long read timeout, for work moto takes long to answer.

    moto answers a Query on an index by reading the whole table: at 100,000
    items that takes longer than the 5 seconds the Lambda allows a call (and
    DynamoDB needs milliseconds for). A benchmark that measures the export,
    not the emulator, gives the client the time moto needs."""
    from chalicelib import runtime
    from chalicelib.storage import models

    saved = models._TableItem.Meta.read_timeout_seconds
    models._TableItem.Meta.read_timeout_seconds = read_timeout
    models._bound = None
    runtime.reset()
    try:
        yield
    finally:
        models._TableItem.Meta.read_timeout_seconds = saved
        models._bound = None
        runtime.reset()


def seed_registrations(rt: Any, period: Period, people: list[Contact], registered_at: dt.datetime) -> None:
    """Register `people` for `period` with the items `register` writes, 25 to a BatchWriteItem."""
    from chalicelib import clock
    from chalicelib.domain.privacy import CONSENT_FIELDS, given_consents
    from chalicelib.domain.registrations import CONSENT_VERSION
    from chalicelib.storage import keys
    from chalicelib.storage.items import outbox_entry, registration_item
    from chalicelib.storage.models import ClaimItem, OutboxItem, PeriodItem, PersonItem, RegistrationItem

    stamp = clock.iso(registered_at)
    repo = rt.repo
    # The consents this stage asks for, given as the registration form gives them.
    notice = rt.settings.notice
    consents = given_consents({CONSENT_FIELDS[p]: True for p in notice.required}, notice, registered_at)
    with (
        RegistrationItem.batch_write() as registrations,
        ClaimItem.batch_write() as claims,
        PersonItem.batch_write() as persons,
        OutboxItem.batch_write() as outbox,
    ):
        for person in people:
            id_hash = repo.id_hash(person.id_number)
            item = registration_item(
                period,
                person,
                id_hash,
                registered_at,
                CONSENT_VERSION,
                name_hash=repo.name_hash(person.name),
                consents=consents,
            )
            registrations.save(item)
            for claim in (
                keys.claim_pk("phone", repo._phone_hash(person.phone)),
                keys.claim_pk("email", repo._email_hash(person.email)),
            ):
                claims.save(ClaimItem(claim, keys.CLAIM_SK, owner=id_hash, claimed_at=stamp))
            persons.save(PersonItem(keys.person_pk(id_hash), keys.PERSON_SK, last_registered_at=stamp))
            outbox.save(outbox_entry("confirmation", item.pk, item.sk, period.id, stamp))
    # register counts each registration on the period item (what a delete of the period checks).
    PeriodItem(keys.PERIOD_PK, keys.period_sk(period.id)).update(
        actions=[PeriodItem.registrations.add(len(people))]
    )
