"""The app's own CPU time per warm request on each candidate route, beside the floor.

    python -m benchmarks.app_cost [--repeats 200]

The app runs in this process, called as Lambda calls it: `app(event, context)`
with the API Gateway event built beforehand (`_inprocess.Gateway` says why not
through `chalice.test.Client`). Each route is first
called on moto's in-process mock as in `aws_calls` (a first request warms
the container, a second is recorded: every AWS call's parameters and parsed
answer, from botocore's `before-parameter-build` and `after-call` events).
Then the second request is replayed `--repeats` times with AWS answered in
process by botocore's Stubber, queued with the recorded answers: no network,
no emulator. The handler call's CPU time (`time.process_time`) is the app's
cost. The floor
is the same AWS calls, with the same parameters, made directly on the same
botocore clients (`_make_api_call`) and answered by the same Stubber:
nothing else. The two are interleaved, request by request, so a busy moment
of the machine hits both.

Targets: app / floor <= 1.5 at the median for every JSON route that calls
AWS; each page (templates cached after the warm-up) <= 1 ms median above a
static response, which is a bare Chalice app's route answering a constant
body, called the same way (its own prebuilt event, `app(event, context)`, the
call alone timed). The app's own `/static/` route is shown
beside it. Last, a profile (cProfile) of the route with the highest ratio:
where its time goes, by package.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import datetime as dt
import pstats
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from benchmarks._inprocess import EXAM_DAY, PAGES, Gateway, candidate_routes, local_stage, second_request
from benchmarks._table import Row, check, info, say, standalone

NAME = "app_cost"
RATIO_TARGET = 1.5
PAGE_TARGET_MS = 1.0


def add_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument("--repeats", type=int, default=200, help="timed replays of each route")


@dataclass
class Call:
    client: Any
    operation: str
    params: dict[str, Any]
    answer: dict[str, Any]


class Recorder:
    """The AWS calls of one request, with their parameters and parsed answers."""

    def __init__(self, clients: list[Any]) -> None:
        self.clients = clients
        self.calls: list[Call] = []
        self.on = False
        for client in clients:
            client.meta.events.register(
                "before-parameter-build.*.*", self._params(client), unique_id=f"bench-cost-p-{id(client)}"
            )
            client.meta.events.register(
                "after-call.*.*", self._answer, unique_id=f"bench-cost-a-{id(client)}"
            )

    def _params(self, client: Any) -> Callable[..., None]:
        def seen(params: dict[str, Any], model: Any, **_: Any) -> None:
            if self.on:
                self.calls.append(Call(client, model.name, copy.deepcopy(params), {}))

        return seen

    def _answer(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if self.on and self.calls and self.calls[-1].operation == model.name and not self.calls[-1].answer:
            answer = copy.deepcopy(parsed)
            answer.pop("ResponseMetadata", None)
            self.calls[-1].answer = answer

    def record(self, request: Callable[[], Any]) -> tuple[Any, list[Call]]:
        self.calls, self.on = [], True
        try:
            response = request()
        finally:
            self.on = False
        return response, self.calls

    def close(self) -> None:
        for client in self.clients:
            client.meta.events.unregister(
                "before-parameter-build.*.*", unique_id=f"bench-cost-p-{id(client)}"
            )
            client.meta.events.unregister("after-call.*.*", unique_id=f"bench-cost-a-{id(client)}")


def _method(client: Any, operation: str) -> str:
    return str(next(m for m, op in client.meta.method_to_api_mapping.items() if op == operation))


@dataclass
class Route:
    name: str
    request: Callable[[], Any]
    expect: int
    calls: list[Call]
    at: dt.datetime  # the frozen clock's time when it was recorded: replays run at it too


def _queue(stubbers: dict[int, Any], calls: list[Call]) -> None:
    for call in calls:
        stubbers[id(call.client)].add_response(_method(call.client, call.operation), call.answer)


def hold_periods() -> None:
    """A warm container re-reads the periods every few seconds (one Query, amortised over the
    requests in between). The replays take longer than that, and each must make exactly the
    recorded calls, so the cache the warm-up filled is kept for the whole run."""
    from chalicelib import runtime

    runtime.current().periods._ttl = float("inf")


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.process_time()
    result = work()
    return time.process_time() - started, result


def measure(route: Route, stubbers: dict[int, Any], repeats: int) -> tuple[list[float], list[float]]:
    """CPU seconds of the app's request and of the floor, `repeats` each, interleaved."""
    app: list[float] = []
    floor: list[float] = []

    def direct() -> None:
        for call in route.calls:
            call.client._make_api_call(call.operation, call.params)

    for _ in range(repeats):
        hold_periods()
        _queue(stubbers, route.calls)
        response = route.request()
        seconds = response.cpu
        if response.status_code != route.expect:
            raise AssertionError(f"{route.name}: {response.status_code} on replay: {response.body[:300]!r}")
        app.append(seconds)
        _queue(stubbers, route.calls)
        seconds, _ = _timed(direct)
        floor.append(seconds)
        for stubber in stubbers.values():
            stubber.assert_no_pending_responses()
    return app, floor


# Where a profile's time goes: the first matching part of each function's file path.
PARTS = [
    ("chalicelib/web/middleware", "middleware"),
    ("chalicelib/web", "our routes (web)"),
    ("chalicelib/services", "our services"),
    ("chalicelib/storage", "our storage"),
    ("chalicelib/domain", "our domain"),
    ("chalicelib", "chalicelib, other"),
    ("/chalice/", "Chalice (request, response)"),
    ("/pynamodb/", "PynamoDB"),
    ("/botocore/", "botocore (stubbed)"),
    ("/jinja2/", "Jinja"),
    ("json", "json"),
    ("/dateutil/", "dateutil"),
]


def profile(route: Route, stubbers: dict[int, Any], repeats: int, gateway: Gateway) -> str:
    """Where the route's time goes, by package: share of its own (tottime) time in the handler."""
    profiler = cProfile.Profile()
    gateway.profiler = profiler
    try:
        for _ in range(repeats):
            hold_periods()
            _queue(stubbers, route.calls)
            route.request()
    finally:
        gateway.profiler = None
    stats = pstats.Stats(profiler)
    by_part: Counter[str] = Counter()
    for (path, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        part = next((label for marker, label in PARTS if marker in path), "stdlib and other")
        by_part[part] += tottime
    total = sum(by_part.values()) or 1.0
    return ", ".join(f"{label} {100 * t / total:.0f}%" for label, t in by_part.most_common(8))


def bare_static(repeats: int) -> list[float]:
    """A bare Chalice app answering a constant body, called as the app is (`Gateway`)."""
    from chalice.app import Chalice, Response

    bare = Chalice(app_name="bench-static")

    @bare.route("/")
    def constant() -> Response:
        return Response(body="<!doctype html><p>static</p>", headers={"Content-Type": "text/html"})

    gateway = Gateway(bare)
    gateway.request("GET", "/", {}, b"")
    found: list[float] = []
    for _ in range(repeats):
        response = gateway.request("GET", "/", {}, b"")
        assert response.status_code == 200
        found.append(response.cpu)
    return found


def _ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def run(args: argparse.Namespace) -> list[Row]:
    from botocore.stub import Stubber

    from chalicelib.services.papers import upload_paper
    from tests.support.calls import app_clients
    from tests.support.exam_data import exam_period, paper_document

    routes: list[Route] = []
    results: dict[str, tuple[list[float], list[float]]] = {}
    rows: list[Row] = []
    with local_stage() as bench:
        rt = bench.rt
        period = exam_period(rt, EXAM_DAY)
        upload_paper(rt, period.id, paper_document())
        bench.open_app()
        from chalicelib.web.pages import static_names

        clients = app_clients(rt)
        recorder = Recorder(clients)

        def add(name: str, request: Callable[[int], Any], expect: int) -> None:
            response, calls = recorder.record(second_request(name, request, expect))
            assert response.status_code == expect, (name, response.status_code, response.body[:300])
            routes.append(Route(name, lambda: request(1), expect, calls, bench.now))

        def static_route() -> None:
            styles = next(name for name in static_names().values() if name.endswith(".css"))
            add(
                "GET /static/ (the app's static route)", lambda n: bench.call("GET", f"/static/{styles}"), 200
            )

        candidate_routes(bench, 201, add, after_pages=static_route)
        recorder.close()

        stubbers = {id(c): Stubber(c) for c in clients}
        with ExitStack() as stack:
            for stubber in stubbers.values():
                stack.enter_context(stubber)
            say(f"replaying {len(routes)} routes, {args.repeats} times each")
            for route in routes:
                bench.travel_to(route.at)
                results[route.name] = measure(route, stubbers, args.repeats)
            static = bare_static(args.repeats)

            json_routes = [r for r in routes if r.calls]
            ratios = {r.name: _ms(results[r.name][0]) / _ms(results[r.name][1]) for r in json_routes}
            slowest = max(ratios, key=lambda name: ratios[name])
            worst = next(r for r in routes if r.name == slowest)
            bench.travel_to(worst.at)
            where = profile(worst, stubbers, min(args.repeats, 100), bench.gateway)

    static_ms = _ms(static)
    rows.append(info(NAME, "static response (bare Chalice, called the same way)", f"{static_ms:.2f} ms CPU"))
    for route in routes:
        app_cpu, floor_cpu = results[route.name]
        ops = ", ".join(c.operation for c in route.calls) or "none"
        if route.calls:
            ratio = ratios[route.name]
            rows.append(
                check(
                    NAME,
                    f"{route.name}: app / floor",
                    f"{ratio:.2f} (app {_ms(app_cpu):.2f} ms, floor {_ms(floor_cpu):.2f} ms CPU; {ops})",
                    f"<= {RATIO_TARGET}",
                    ratio <= RATIO_TARGET,
                )
            )
        elif route.name in PAGES:
            above = _ms(app_cpu) - static_ms
            rows.append(
                check(
                    NAME,
                    f"{route.name}: above a static response",
                    f"{above:+.2f} ms ({_ms(app_cpu):.2f} ms CPU)",
                    f"<= {PAGE_TARGET_MS:g} ms",
                    above <= PAGE_TARGET_MS,
                )
            )
        else:
            rows.append(info(NAME, f"{route.name}", f"{_ms(app_cpu):.2f} ms CPU ({ops}; no AWS call)"))
    rows.append(info(NAME, f"profile of the highest ratio, {slowest}", where))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    return standalone(sys.modules[__name__], argv)


if __name__ == "__main__":
    sys.exit(main())
