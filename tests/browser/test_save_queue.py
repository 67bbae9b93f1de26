"""The exam's save queue (static/exam-save.js) in Chromium, on a clock the test turns by hand.

No server and no real timers: `send` answers only when the test says so, and time moves only
when the test advances it, so every ordering below is the one that runs, every time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.web.pages import STATIC
from tests.browser.conftest import browser_page

HARNESS = """
() => {
  const T = { now: 0, timers: [], sent: [], replies: [], statuses: [], acks: 0, refusals: [],
              ready: true, refuse: false, answers: {}, pending: {} };
  const timers = {
    set(fn, ms) { const t = { fn, at: T.now + ms }; T.timers.push(t); return t; },
    clear(t) { T.timers = T.timers.filter((x) => x !== t); },
  };
  const settle = () => new Promise((done) => setTimeout(done, 0));
  T.queue = HR.saveQueue({
    answers: () => T.answers,
    pending: () => T.pending,
    ready: () => T.ready,
    send: (answers) => new Promise((resolve) => { T.sent.push(answers); T.replies.push(resolve); }),
    acknowledged: () => { T.acks += 1; },
    refused: (response) => { T.refusals.push(response.status); return T.refuse; },
    status: (kind) => { T.statuses.push(kind); },
    timers,
  });
  T.pick = (id, keys) => { T.answers[id] = keys; T.queue.changed(id); };
  // Moves the clock, firing each timer that falls due, in order, as a browser would.
  T.advance = async (ms) => {
    const until = T.now + ms;
    for (;;) {
      const due = T.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      T.timers = T.timers.filter((t) => t !== due);
      T.now = due.at;
      due.fn();
      await settle();
    }
    T.now = until;
  };
  // Answers the oldest unanswered save.
  T.reply = async (status) => { T.replies.shift()({ status, body: null }); await settle(); };
  T.waiting = () => T.timers.map((t) => t.at - T.now);
  window.T = T;
}
"""


@pytest.fixture
def queue() -> Iterator[Any]:
    with browser_page() as page:
        page.set_content('<body data-root="/"></body>')
        page.add_script_tag(path=str(STATIC / "common.js"))
        page.add_script_tag(path=str(STATIC / "exam-save.js"))
        page.evaluate(HARNESS)
        yield page


def do(page: Any, steps: str) -> Any:
    """Runs `a; b; c` in order, each awaited (advance and reply let the page's promises settle)."""
    body = " ".join(f"await ({step.strip()});" for step in steps.split(";")[:-1])
    last = steps.split(";")[-1].strip()
    return page.evaluate(f"async () => {{ {body} return await ({last}); }}")


def sent(page: Any) -> list[dict[str, list[str]]]:
    result: list[dict[str, list[str]]] = page.evaluate("T.sent")
    return result


def test_a_change_is_saved_after_a_short_pause_and_then_no_longer_pending(queue: Any) -> None:
    do(queue, "T.pick('q1', ['B'])")
    assert do(queue, "T.pending") == {"q1": True}
    do(queue, "T.advance(799)")
    assert sent(queue) == []
    do(queue, "T.advance(1)")
    assert sent(queue) == [{"q1": ["B"]}]
    do(queue, "T.reply(204)")
    assert do(queue, "T.pending") == {}
    assert do(queue, "T.statuses") == ["saving", "saved"]
    assert do(queue, "T.acks") == 1


def test_changes_in_quick_succession_go_in_one_save(queue: Any) -> None:
    do(queue, "T.pick('q1', ['A']); T.advance(500); T.pick('q2', ['A', 'C']); T.advance(500)")
    assert sent(queue) == []
    do(queue, "T.advance(300)")
    assert sent(queue) == [{"q1": ["A"], "q2": ["A", "C"]}]


def test_one_save_at_a_time_and_an_answer_changed_in_flight_stays_pending(queue: Any) -> None:
    do(queue, "T.pick('q1', ['A']); T.advance(800)")
    assert sent(queue) == [{"q1": ["A"]}]
    # Changed while the first save is on its way: no second save may overtake it.
    do(queue, "T.pick('q1', ['D']); T.advance(5000)")
    assert sent(queue) == [{"q1": ["A"]}]
    do(queue, "T.reply(204)")
    # The server has A; this phone has D: still pending, and sent next.
    assert do(queue, "T.pending") == {"q1": True}
    do(queue, "T.advance(200)")
    assert sent(queue) == [{"q1": ["A"]}, {"q1": ["D"]}]
    do(queue, "T.reply(204)")
    assert do(queue, "T.pending") == {}
    assert do(queue, "T.statuses")[-1] == "saved"


def test_a_lost_connection_retries_with_back_off_up_to_thirty_seconds(queue: Any) -> None:
    do(queue, "T.pick('q1', ['C']); T.advance(800)")
    waits = []
    for _ in range(7):
        do(queue, "T.reply(0)")
        waits.append(do(queue, "T.waiting()"))
        do(queue, f"T.advance({waits[-1][0]})")
    assert waits == [[2000], [4000], [8000], [16000], [30000], [30000], [30000]]
    assert do(queue, "T.statuses").count("offline") == 7
    assert do(queue, "T.pending") == {"q1": True}
    assert len(sent(queue)) == 8 and all(s == {"q1": ["C"]} for s in sent(queue))
    # Back online: saved now, and the next failure starts from 2 s again.
    do(queue, "T.reply(204)")
    assert do(queue, "T.pending") == {}
    do(queue, "T.pick('q2', ['A']); T.advance(800); T.reply(503)")
    assert do(queue, "T.waiting()") == [2000]


def test_online_tries_at_once_and_restarts_the_back_off(queue: Any) -> None:
    do(queue, "T.pick('q1', ['A']); T.advance(800); T.reply(0); T.advance(2000); T.reply(0)")
    assert do(queue, "T.waiting()") == [4000]
    do(queue, "T.queue.online()")
    assert len(sent(queue)) == 3
    do(queue, "T.reply(0)")
    # The pending retry was replaced by a fresh first step.
    assert do(queue, "T.waiting()") == [2000]


def test_a_refusal_the_page_takes_is_not_retried(queue: Any) -> None:
    do(queue, "T.refuse = true; T.pick('q1', ['A']); T.advance(800); T.reply(401)")
    assert do(queue, "T.refusals") == [401]
    assert do(queue, "T.waiting()") == []
    assert "offline" not in do(queue, "T.statuses")


def test_nothing_is_sent_while_the_page_says_not_now_and_all_of_it_once_it_may(queue: Any) -> None:
    do(queue, "T.ready = false; T.pick('q1', ['A']); T.pick('q2', ['B']); T.advance(60000)")
    assert sent(queue) == []
    do(queue, "T.ready = true; T.queue.flush()")
    assert sent(queue) == [{"q1": ["A"], "q2": ["B"]}]


def test_stop_cancels_the_save_that_was_waiting(queue: Any) -> None:
    do(queue, "T.pick('q1', ['A']); T.queue.stop(); T.advance(60000)")
    assert sent(queue) == []
    assert do(queue, "T.queue.pendingIds()") == ["q1"]


def test_an_empty_choice_is_saved_as_empty(queue: Any) -> None:
    """Clearing a multiple-choice question must reach the server, or its old answer scores."""
    do(queue, "T.pick('q1', ['A', 'B']); T.advance(800); T.reply(204); T.pick('q1', []); T.advance(800)")
    assert sent(queue) == [{"q1": ["A", "B"]}, {"q1": []}]
