"""The container's shared state: settings, storage and caches, built lazily.

A Lambda container serves many requests; what it can keep between them
(clients, the list of periods, papers, secrets) lives here. It is rebuilt
whenever the settings read from the environment change, which is what lets
tests and `chalice local` switch stages or emulators without restarting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import field
from typing import TYPE_CHECKING

from chalicelib.config import Settings, load_settings
from chalicelib.domain.attempt_order import AttemptPapers
from chalicelib.domain.calendar import WorkCalendar, override_problems
from chalicelib.domain.errors import NotFound, Unavailable
from chalicelib.domain.periods import Period
from chalicelib.storage import keys, models
from chalicelib.storage.limits import FailureLimits
from chalicelib.storage.repository import Repository
from chalicelib.storage.secrets import SecretStore
from chalicelib.values import FACTORY, mutable_value_class

if TYPE_CHECKING:
    # Built on first use (see services.mail.mailer and services.papers.paper_store): importing
    # them here would put SES, S3 and the e-mail generator on every cold start.
    from chalicelib.storage.bank import BankStore
    from chalicelib.storage.exports import PasserStore
    from chalicelib.storage.mail import Mailer
    from chalicelib.storage.outbox import Outbox
    from chalicelib.storage.papers import PaperStore
    from chalicelib.storage.retention import RetentionStore

# How many passers' marks the export writes at once. An emulator takes one (moto is not
# thread-safe); DynamoDB takes many, which keeps the marking of thousands to seconds.
MARK_WORKERS = 8

log = logging.getLogger(__name__)


class PeriodCache:
    """The periods, re-read at most every `ttl` seconds.

    There are a dozen periods a year, and every candidate request needs to
    know today's: caching them keeps a registration to one DynamoDB call.
    Writes made in this container refresh it at once; other containers
    catch up within `ttl`.

    One caller at a time re-reads them. When the periods are only stale, the
    other callers answer from the last read meanwhile, and a re-read that
    fails (DynamoDB busy: `Unavailable`) keeps the last read for the next
    caller to try again. Found by the 2,000-candidate spike: every request
    of a threaded `chalice local` started its own re-read on a slow emulator,
    each timed out, nothing was kept, and every entry answered 503. Only a
    container that has never read them, or whose own write invalidated them,
    waits for (or fails with) the read.
    """

    def __init__(
        self, load: Callable[[], list[Period]], ttl: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._load = load
        self._ttl = ttl
        self._monotonic = monotonic
        self._periods: list[Period] | None = None
        self._loaded_at = 0.0
        # Bumped by invalidate(): a read begun before a write in this container is not kept.
        self._generation = 0
        self._lock = threading.Lock()
        self._reading = threading.Lock()

    def all(self) -> list[Period]:
        with self._lock:
            periods, loaded_at = self._periods, self._loaded_at
        if periods is not None and self._monotonic() - loaded_at < self._ttl:
            return periods
        if periods is None:
            self._reading.acquire()  # nothing to answer with: wait for the read under way, if any
        elif not self._reading.acquire(blocking=False):
            return periods  # another caller is re-reading them
        try:
            with self._lock:
                periods, loaded_at, generation = self._periods, self._loaded_at, self._generation
            started = self._monotonic()
            if periods is not None and started - loaded_at < self._ttl:
                return periods  # read by the caller this one waited for
            try:
                fresh = self._load()
            except Unavailable:
                if periods is None:
                    raise
                log.warning("periods re-read failed: answering from the last read")
                return periods
            with self._lock:
                if self._generation == generation:
                    self._periods, self._loaded_at = fresh, started
            return fresh
        finally:
            self._reading.release()

    def find(self, period_id: str) -> Period | None:
        """A period by id, or None. A miss reloads once: it may have been created
        in another container moments ago."""
        for attempt in range(2):
            for period in self.all():
                if period.id == period_id:
                    return period
            if attempt == 0:
                self.invalidate()
        return None

    def get(self, period_id: str) -> Period:
        period = self.find(period_id)
        if period is None:
            raise NotFound("没有找到该期次。", code="period_not_found")
        return period

    def invalidate(self) -> None:
        with self._lock:
            self._periods = None
            self._generation += 1


@mutable_value_class
class Runtime:
    """The container's settings, stores and caches, built once per settings."""

    settings: Settings
    secrets: SecretStore
    repo: Repository
    periods: PeriodCache
    calendar: WorkCalendar
    limits: FailureLimits
    # The ID number's (and contacts') keyed hash, for the stores built on first use.
    hash_identity: Callable[[str, str], str]
    # Collaborators built on first use, kept as long as the container: the candidate's
    # requests never need them, so they stay off the cold start. A test swaps its own in
    # with `dataclasses.replace` (the `swap` fixture of tests/api/conftest.py).
    mailer: Mailer | None = None
    papers: PaperStore | None = None
    bank: BankStore | None = None
    outbox: Outbox | None = None
    passers: PasserStore | None = None
    retention: RetentionStore | None = None
    # Each attempt's drawn and ordered paper, by paper version and seed (not a collaborator:
    # pure, and right for any paper store, since the version names the paper's content).
    attempt_papers: AttemptPapers = field(default_factory=AttemptPapers)

    def __init__(
        self,
        settings: Settings,
        secrets: SecretStore,
        repo: Repository,
        periods: PeriodCache,
        calendar: WorkCalendar,
        limits: FailureLimits,
        hash_identity: Callable[[str, str], str],
        mailer: Mailer | None = None,
        papers: PaperStore | None = None,
        bank: BankStore | None = None,
        outbox: Outbox | None = None,
        passers: PasserStore | None = None,
        retention: RetentionStore | None = None,
        attempt_papers: AttemptPapers = FACTORY,
    ) -> None:
        attempt_papers = AttemptPapers() if attempt_papers is FACTORY else attempt_papers
        self.__dict__.update(
            settings=settings,
            secrets=secrets,
            repo=repo,
            periods=periods,
            calendar=calendar,
            limits=limits,
            hash_identity=hash_identity,
            mailer=mailer,
            papers=papers,
            bank=bank,
            outbox=outbox,
            passers=passers,
            retention=retention,
            attempt_papers=attempt_papers,
        )

    def forget_collaborators(self) -> None:
        """Drop the lazily built collaborators (and the papers they cache)."""
        self.mailer = None
        self.papers = None
        self.bank = None
        self.outbox = None
        self.passers = None

    def outbox_store(self) -> Outbox:
        """The candidates' e-mail outbox."""
        if self.outbox is None:
            from chalicelib.storage.outbox import Outbox

            self.outbox = Outbox()
        return self.outbox

    def retention_store(self) -> RetentionStore:
        """The deletions of a person's data (a rights request's erasure, the purge's)."""
        if self.retention is None:
            from chalicelib.storage.retention import RetentionStore

            self.retention = RetentionStore(self.hash_identity)
        return self.retention

    def passer_store(self) -> PasserStore:
        """The export's reads and writes of passers and its lease."""
        if self.passers is None:
            from chalicelib.storage.exports import PasserStore

            self.passers = PasserStore(workers=self.mark_workers())
        return self.passers

    def mark_workers(self) -> int:
        """How many conditional marks run at once (the export's and the city entries')."""
        emulated = self.settings.is_emulated or self.settings.stage == "local"
        return 1 if emulated else MARK_WORKERS


def build(settings: Settings) -> Runtime:
    models.bind(settings.table_name, settings.region, settings.endpoint_url)
    secrets = SecretStore(settings)

    def hash_identity(kind: str, value: str) -> str:
        return keys.identity_hash(secrets.get("id-hmac-key"), kind, value)

    repo = Repository(hash_identity)
    return Runtime(
        settings=settings,
        secrets=secrets,
        repo=repo,
        periods=PeriodCache(repo.list_periods, settings.period_cache_seconds),
        calendar=_calendar(settings),
        limits=FailureLimits(hash_identity),
        hash_identity=hash_identity,
    )


def _calendar(settings: Settings) -> WorkCalendar:
    """The working-day calendar; a bad override entry is skipped and logged, never a failed request."""
    for problem in override_problems(settings.calendar_overrides):
        logging.getLogger("hr_exam.config").warning("ignored: %s", problem)
    return WorkCalendar.from_overrides(settings.calendar_overrides)


_current: Runtime | None = None
_build_lock = threading.Lock()


def current() -> Runtime:
    """The runtime for the settings as they are now."""
    global _current
    settings = load_settings()
    found = _current
    if found is not None and found.settings == settings:
        return found
    with _build_lock:
        if _current is None or _current.settings != settings:
            _current = build(settings)
        return _current


def reset() -> None:
    """Drop every cache (a test starting from an empty emulator)."""
    global _current
    with _build_lock:
        _current = None
    models.unbind()
