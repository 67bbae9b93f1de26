"""The access log line: written to stdout as the logger's own handler writes it, and handed
to any other handler as a record (a test's capture, a reconfigured logger)."""

from __future__ import annotations

import logging

from chalicelib.web.middleware import _access_log, _log_access


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_the_line_goes_to_the_stdout_of_the_moment_once(capsys):
    _log_access('{"type":"request"}')
    _log_access('{"type":"request","n":2}')
    assert capsys.readouterr().out == '{"type":"request"}\n{"type":"request","n":2}\n'


def test_another_handler_gets_the_record_and_stdout_still_the_line(capsys):
    keep = _Keep()
    logger = _access_log()
    logger.addHandler(keep)
    try:
        _log_access('{"type":"request"}')
    finally:
        logger.removeHandler(keep)
    assert keep.messages == ['{"type":"request"}']
    assert capsys.readouterr().out == '{"type":"request"}\n'


def test_a_silenced_access_logger_writes_nothing(capsys):
    logger = _access_log()
    logger.setLevel(logging.WARNING)
    try:
        _log_access('{"type":"request"}')
    finally:
        logger.setLevel(logging.INFO)
    assert capsys.readouterr().out == ""
