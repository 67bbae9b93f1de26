"""Capture everything the app could send to CloudWatch, and look for personal data in it.

Lambda ships whatever a function writes to stdout and stderr, and every log
record that reaches a handler. `everything_written()` catches all of it while
a block runs:

- file descriptors 1 and 2 (C extensions, subprocesses, anything below Python),
- `sys.stdout` / `sys.stderr` (print, handlers that look the stream up when writing),
- every logging record at INFO and above, from every logger, including those
  that do not propagate and write to a stream they kept from before (Chalice's
  own `app.log` is one). INFO is stricter than Lambda's default (WARNING) and
  looser than DEBUG, where botocore dumps whole requests: production never
  runs at DEBUG, so neither does this check.

`PersonalData` holds what a test sent, and finds it again in any spelling the
app might produce (upper or lower case, `x` or `X`, `+86` prefix, spaced).

To extend the full-flow test with registration and the exam once they exist,
send their requests inside the same `everything_written()` block with the
same `PersonalData`, and call `assert_absent` at the end.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Written:
    """What was written while the block ran."""

    stream_text: str = ""
    records: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.stream_text + "\n".join(self.records)

    @property
    def lines(self) -> list[str]:
        return [line for line in self.text.splitlines() if line.strip()]

    def json_lines(self) -> list[dict[str, Any]]:
        found = []
        for line in self.stream_text.splitlines():
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                found.append(value)
        return found

    def requests(self) -> list[dict[str, Any]]:
        """The access log: one JSON line per request that reached the app."""
        return [entry for entry in self.json_lines() if entry.get("type") == "request"]


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.INFO)
        self._into = into
        # Everything a formatter could emit: the message, its arguments, and any traceback.
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self._into.append(self.format(record))


@contextmanager
def everything_written() -> Iterator[Written]:
    written = Written()
    sink = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - closed below, after the streams let go
    saved_fds = {fd: os.dup(fd) for fd in (1, 2)}
    saved_streams = (sys.stdout, sys.stderr)
    text = io.TextIOWrapper(sink, encoding="utf-8", errors="replace", line_buffering=True, write_through=True)
    collect = _Collect(written.records)
    root = logging.getLogger()
    saved_level = root.level
    loggers = [root] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    try:
        for stream in saved_streams:
            stream.flush()
        for fd in (1, 2):
            os.dup2(sink.fileno(), fd)
        sys.stdout = sys.stderr = text
        for logger in loggers:
            logger.addHandler(collect)
        root.setLevel(min(saved_level or logging.WARNING, logging.INFO))
        yield written
    finally:
        for logger in loggers:
            logger.removeHandler(collect)
        # Loggers made during the block that stopped propagating reach the streams above.
        root.setLevel(saved_level)
        text.flush()
        sys.stdout, sys.stderr = saved_streams
        for fd, saved in saved_fds.items():
            os.dup2(saved, fd)
            os.close(saved)
        sink.seek(0)
        written.stream_text = sink.read().decode("utf-8", errors="replace")
        text.detach()
        sink.close()


@dataclass(frozen=True)
class PersonalData:
    """A candidate's identifying details, as a test sent them."""

    id_number: str
    phone: str
    email: str

    def spellings(self) -> list[str]:
        """Every form in which these could show up: what was sent, and what the app may normalise it to."""
        digits = self.phone[-11:]
        found = {
            self.id_number,
            self.id_number.lower(),
            self.id_number[:17],  # an ID's 17 digits without the check character are as good as the whole
            digits,
            "+86" + digits,
            f"{digits[:3]} {digits[3:7]} {digits[7:]}",
            self.email,
            self.email.lower(),
            self.email.split("@", 1)[0],
        }
        return sorted(found)

    def find_in(self, text: str) -> list[str]:
        return [
            spelling for spelling in self.spellings() if re.search(re.escape(spelling), text, re.IGNORECASE)
        ]

    def assert_absent(self, written: Written) -> None:
        leaks = []
        for line in written.lines:
            found = self.find_in(line)
            if found:
                leaks.append(f"{found}: {line[:300]}")
        assert not leaks, "personal data in the logs:\n" + "\n".join(leaks)
