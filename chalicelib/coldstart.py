"""Import the application's stack on a Python stack of known depth.

CPython 3.11 keeps Python frames in 16 KB chunks and frees a chunk as soon as
the stack falls back below it (python/cpython#142183, fixed in 3.13 by
keeping a spare chunk). When a deeply recursive import-time computation
(urllib3 compiles its URL regular expressions with the recursive `re` parser)
happens to straddle a chunk boundary, thousands of calls each map and unmap a
chunk: about 40 ms of a cold start, at some depths of the importing stack and
not at others. The depth at which Lambda's runtime imports the handler is not
ours to know, so `app` imports the stack from a new thread, whose Python
stack starts empty: the same depth wherever the handler is imported from.
`benchmarks/cold_start.py` measures both; docs/benchmarks.md has the numbers.
"""

from __future__ import annotations

import importlib
import threading


def import_on_fresh_stack(module: str) -> None:
    """Import `module` (and everything it imports) from a new thread and wait for it.

    An import error is raised here, in the caller's thread, as it would be
    by a plain import."""
    failure: list[BaseException] = []

    def load() -> None:
        try:
            importlib.import_module(module)
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=load, name=f"import {module}")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
