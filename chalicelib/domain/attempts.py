"""Failure limits for exam entry and lookup: how many wrong guesses a pair gets.

Entry by ID number and name, and lookup by ID number and phone, are each a
guess at something the guesser may not know. The contract limits failures
per ID number *and* client address: the 5th failure for one pair within
15 minutes, and every request of that pair for 15 minutes after the last
failure, answer `429 too_many_attempts`. Never per address alone: a company's
Wi-Fi or a carrier's NAT puts many candidates behind one address.

Failures are counted once answered, so guesses sent all at once would each
be answered before any of them counted. Arrivals are therefore counted too,
as they come in: more than LIMIT requests of one pair within one BURST
window (no person types an ID number and a name six times in ten seconds)
answer `429` until the window ends, and only the first LIMIT of such a burst
are checked at all.

This module is the rule only; what was stored and when "now" is come in as
arguments, so the clock is the caller's one clock.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from chalicelib.domain.errors import TooManyAtOnce, TooManyAttempts

LIMIT = 5
WINDOW = dt.timedelta(minutes=15)
# What storage keeps: enough history to decide any lock that can still be
# running (a lock set by a failure within WINDOW counts failures up to
# WINDOW before it).
KEEP = 2 * WINDOW
# Arrivals of one pair are counted per fixed window of this length.
BURST = dt.timedelta(seconds=10)


def locked_until(failures: Iterable[dt.datetime]) -> dt.datetime | None:
    """When the lock these failures set ends, or None when they set none.

    Failures are replayed in order: one that is the LIMIT-th within WINDOW
    locks the pair until WINDOW after it; a failure recorded while the lock
    runs (requests that were already in flight) extends it to WINDOW after
    itself, since the lock lasts "15 minutes after the last failure".
    """
    ordered = sorted(failures)
    end: dt.datetime | None = None
    for index, failure in enumerate(ordered):
        if end is not None and failure < end:
            end = failure + WINDOW
            continue
        in_window = [earlier for earlier in ordered[: index + 1] if failure - earlier < WINDOW]
        if len(in_window) >= LIMIT:
            end = failure + WINDOW
    return end


def retry_after(failures: Iterable[dt.datetime], now: dt.datetime) -> int | None:
    """Seconds until the pair may try again (at least 1), or None when it may now."""
    end = locked_until(failures)
    if end is None or now >= end:
        return None
    return max(1, math.ceil((end - now).total_seconds()))


def check(failures: Iterable[dt.datetime], now: dt.datetime) -> None:
    """Refuse with `TooManyAttempts` while the pair is locked."""
    seconds = retry_after(failures, now)
    if seconds is not None:
        raise TooManyAttempts(seconds)


def kept(failures: Iterable[dt.datetime], now: dt.datetime) -> list[dt.datetime]:
    """The failures storage still needs at `now`, oldest first."""
    return sorted(failure for failure in failures if now - failure < KEEP)


def burst_window(now: dt.datetime) -> int:
    """The number of the BURST window `now` falls in (windows are fixed, epoch-aligned)."""
    return int(now.timestamp()) // int(BURST.total_seconds())


def check_burst(arrivals: int, now: dt.datetime) -> None:
    """Refuse with `TooManyAtOnce` the requests of a pair beyond LIMIT in this BURST window.

    `arrivals` counts this request too (it is what storage's atomic count returned)."""
    if arrivals <= LIMIT:
        return
    length = int(BURST.total_seconds())
    ends = (burst_window(now) + 1) * length
    raise TooManyAtOnce(max(1, math.ceil(ends - now.timestamp())))
