"""A terminal progress bar for long commands (the CLI's export), without a dependency.

On a terminal the bar redraws one line; elsewhere (a CI log, a pipe) it
prints a line when a phase starts and when it ends, so logs stay readable.
"""

from __future__ import annotations

from typing import TextIO

PHASES = {"read": "读取通过人员", "xlsx": "生成 Excel  ", "mark": "标记已导出  "}
WIDTH = 30


class ProgressBar:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._phase: str | None = None
        self._last = ""

    def update(self, phase: str, done: int, total: int | None) -> None:
        label = PHASES.get(phase, phase)
        if phase != self._phase:
            self._end_line()
            self._phase = phase
            if not self._tty:
                self._stream.write(f"{label} ...\n")
        if total:
            filled = min(WIDTH, WIDTH * done // total)
            line = f"{label} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total}"
        else:
            line = f"{label} {done}"
        self._last = line
        if self._tty:
            self._stream.write("\r" + line)
            self._stream.flush()

    def _end_line(self) -> None:
        if self._phase is None:
            return
        self._stream.write("\n" if self._tty else self._last + "\n")
        self._stream.flush()

    def close(self) -> None:
        self._end_line()
        self._phase = None
