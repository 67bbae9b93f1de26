"""Guesses sent all at once are limited like guesses sent one by one (issue 12's burst gap).

Failures are counted once answered, so before arrivals were counted a burst of guesses for one
ID number was answered in full before any failure counted: 20 names tried at once were 20
answers. `chalice local` handles one request at a time, which hides this; here each guess is
the entry use case in its own thread, as in its own Lambda container, against a real moto
server (whose answers then interleave: every guess's reads before any failure is written)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from chalicelib.domain import attempts
from chalicelib.domain.errors import DomainError
from chalicelib.services import exam
from tests.concurrency.test_submit_once import call
from tests.support.exam_data import exam_today, person, register
from tests.support.stack import Stack

pytestmark = [pytest.mark.server]

GUESSERS = 20
PHONE_NETWORK = "203.0.113.7"


def at_the_start_of_a_burst_window() -> None:
    """Wait for a fresh window, so the whole burst falls in one (they are 10 s, epoch-aligned)."""
    length = attempts.BURST.total_seconds()
    while time.time() % length > 1.0:
        time.sleep(0.05)


def test_the_right_name_hidden_in_a_burst_of_guesses_is_not_answered(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """19 wrong names and then the right one, all counted in before any is answered: the
    worst order for the failure rule alone, which counts nothing until a guess is answered,
    so the right name entered (and told the guesser it was right). The order is made, not
    hoped for: each guess waits, after counting itself in, until all 20 have."""
    rt = stack.runtime()
    period = exam_today(rt)
    alice = person(1)
    register(rt, period, alice)
    wrong_in, all_in = threading.Event(), threading.Event()
    arrived = [0]
    lock = threading.Lock()
    arrive, start_attempt = rt.limits.arrive, rt.repo.start_attempt

    def counted_in(*args: Any, **kwargs: Any) -> Any:
        found = arrive(*args, **kwargs)
        with lock:
            arrived[0] += 1
            if arrived[0] == GUESSERS - 1:
                wrong_in.set()
            if arrived[0] == GUESSERS:
                all_in.set()
        return found

    def after_everyone(*args: Any, **kwargs: Any) -> Any:
        all_in.wait(30)
        return start_attempt(*args, **kwargs)

    monkeypatch.setattr(rt.limits, "arrive", counted_in)
    monkeypatch.setattr(rt.repo, "start_attempt", after_everyone)
    outcomes: list[tuple[int, str]] = [(0, "")] * GUESSERS
    refusals: dict[int, DomainError] = {}

    def guess(n: int) -> None:
        right = n == GUESSERS - 1
        if right:
            wrong_in.wait(30)
        body = {"id_number": alice.id_number, "name": alice.name if right else f"猜{n}"}
        try:
            exam.start_session(rt, body, PHONE_NETWORK)
            outcomes[n] = (201, "entered")
        except DomainError as error:
            outcomes[n] = (error.status, error.code)
            refusals[n] = error

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSERS)]
    at_the_start_of_a_burst_window()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert outcomes[-1] == (429, "too_many_attempts"), outcomes
    # Held back by the burst rule: the wait is the rest of a 10-second window, said in seconds.
    held = refusals[GUESSERS - 1].body()["error"]
    assert 1 <= held["retry_after"] <= attempts.BURST.total_seconds(), held
    assert refusals[GUESSERS - 1].headers() == {"Retry-After": str(held["retry_after"])}
    assert f"请 {held['retry_after']} 秒后再试" in held["message"], held
    answered = [outcome for outcome in outcomes if outcome[0] != 429]
    assert len(answered) <= attempts.LIMIT, outcomes
    assert set(answered) <= {(404, "not_registered")}
    monkeypatch.undo()
    # The answered failures lock the pair for 15 minutes, the right name included ...
    with pytest.raises(DomainError) as locked:
        exam.start_session(rt, {"id_number": alice.id_number, "name": alice.name}, PHONE_NETWORK)
    assert locked.value.status == 429
    assert "分钟后再试" in locked.value.message
    # ... and nobody else: from another address (chalice local's) the right name enters.
    status, reply = call(
        stack.url + "api/exam/sessions", "POST", {"id_number": alice.id_number, "name": alice.name}
    )
    assert status == 201, reply
