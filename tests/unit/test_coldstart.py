"""`import_on_fresh_stack`: the module is imported by another thread, and its failure is the caller's."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from chalicelib.coldstart import import_on_fresh_stack


@pytest.fixture
def module_dir(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        for name in ("fresh_stack_probe", "fresh_stack_broken"):
            sys.modules.pop(name, None)


def test_the_module_is_imported_by_another_thread(module_dir: Path) -> None:
    (module_dir / "fresh_stack_probe.py").write_text(
        "import threading\nIMPORTED_BY = threading.current_thread().name\n"
    )
    import_on_fresh_stack("fresh_stack_probe")
    probe = sys.modules["fresh_stack_probe"]
    assert probe.IMPORTED_BY == "import fresh_stack_probe"
    assert threading.current_thread().name != probe.IMPORTED_BY


def test_an_import_error_is_raised_in_the_callers_thread(module_dir: Path) -> None:
    (module_dir / "fresh_stack_broken.py").write_text("raise ZeroDivisionError('at import')\n")
    with pytest.raises(ZeroDivisionError, match="at import"):
        import_on_fresh_stack("fresh_stack_broken")
    assert "fresh_stack_broken" not in sys.modules


def test_a_missing_module_is_a_module_not_found_error() -> None:
    with pytest.raises(ModuleNotFoundError):
        import_on_fresh_stack("chalicelib.no_such_module")
