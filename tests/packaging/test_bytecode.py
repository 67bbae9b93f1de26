"""`make package`'s bytecode step on a small zip: reproducible, complete, and refusing what cannot compile."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ops import bytecode

MODULES = {
    "app.py": "import lib.helper\nVALUE = lib.helper.twice(21)\n",
    "lib/__init__.py": "",
    "lib/helper.py": "def twice(n: int) -> int:\n    return 2 * n\n",
    "lib/data.json": "{}",
}


def make_zip(path: Path, modules: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in modules.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 2, 3, 4, 6)), text)
    return path


def test_the_same_zip_gets_the_same_bytes_and_a_pyc_beside_each_module(tmp_path: Path) -> None:
    first, second = make_zip(tmp_path / "a.zip", MODULES), make_zip(tmp_path / "b.zip", MODULES)
    assert bytecode.precompile_zip(first) == 3
    bytecode.precompile_zip(second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        assert names[: len(MODULES)] == list(MODULES)
        tag = bytecode.cache_tag()
        assert sorted(n for n in names if n.endswith(".pyc")) == sorted(
            [
                f"__pycache__/app.{tag}.pyc",
                f"lib/__pycache__/__init__.{tag}.pyc",
                f"lib/__pycache__/helper.{tag}.pyc",
            ]
        )
        for name in ("app.py", "lib/helper.py"):
            assert bytecode.check_pyc(archive.read(name), archive.read(bytecode.pyc_name(name))) == []


def test_a_second_run_adds_nothing(tmp_path: Path) -> None:
    package = make_zip(tmp_path / "a.zip", MODULES)
    bytecode.precompile_zip(package)
    once = package.read_bytes()
    assert bytecode.precompile_zip(package) == 0
    assert package.read_bytes() == once


def test_bytecode_of_another_source_is_caught(tmp_path: Path) -> None:
    package = make_zip(tmp_path / "a.zip", MODULES)
    bytecode.precompile_zip(package)
    with zipfile.ZipFile(package) as archive:
        pyc = archive.read(bytecode.pyc_name("lib/helper.py"))
    assert bytecode.check_pyc(MODULES["lib/helper.py"].encode(), pyc) == []
    assert bytecode.check_pyc(b"def twice(n):\n    return n + n\n", pyc) == [
        "the hash does not match the source beside it"
    ]
    assert (
        "is not this interpreter's"
        in bytecode.check_pyc(MODULES["lib/helper.py"].encode(), b"\0" * 4 + pyc[4:])[0]
    )


def test_a_module_that_does_not_compile_stops_the_build(tmp_path: Path) -> None:
    package = make_zip(tmp_path / "a.zip", {**MODULES, "broken.py": "def (:\n"})
    before = package.read_bytes()
    with pytest.raises(SystemExit, match=r"broken\.py"):
        bytecode.precompile_zip(package)
    assert package.read_bytes() == before
