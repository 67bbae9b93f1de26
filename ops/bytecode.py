"""Precompiled bytecode for the deployment zip, so a cold start compiles nothing.

Chalice leaves every `.pyc` out of the zip, and Lambda's `/var/task` is
read-only: an untreated package makes every new container compile each
module it imports (botocore, PynamoDB, Chalice, ours) before the first
request, which roughly doubles the cold start (docs/benchmarks.md).
`make package` therefore adds, beside each `.py` in the zip, the
`__pycache__/<name>.cpython-311.pyc` Python would have written, compiled by
the interpreter that matches the function's runtime.

The bytecode is hash-based and unchecked (PEP 552): the interpreter loads it
without comparing it to the source's timestamp, which in a zip unpacked by
Lambda is not the one it was compiled from. Nothing in `/var/task` ever
changes after deployment, so there is nothing to check against. The output
is reproducible: the same zip in gives the same bytes out.

Operator-only: it runs from `make package`, never in Lambda.
"""

from __future__ import annotations

import importlib.util
import py_compile
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

# Where Lambda unpacks the zip: the file names tracebacks show.
TASK_ROOT = "/var/task"
# PEP 552 flags: bit 0 "hash-based", bit 1 "check the source"; unchecked is 0b01.
UNCHECKED_HASH_FLAGS = 0b01


def cache_tag() -> str:
    """`cpython-311` for the interpreter running this."""
    tag = sys.implementation.cache_tag
    assert tag is not None, "this interpreter writes no bytecode cache"
    return tag


def runtime_of_this_interpreter() -> str:
    """Lambda's runtime name for this interpreter's version, as Chalice derives it: `python3.11`."""
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def pyc_name(source: str, tag: str | None = None) -> str:
    """Where Python looks for the bytecode of `source` (a zip member name)."""
    path = PurePosixPath(source)
    return str(path.parent / "__pycache__" / f"{path.stem}.{tag or cache_tag()}.pyc").removeprefix("./")


def _sources(names: list[str]) -> Iterator[str]:
    for name in names:
        if name.endswith(".py") and "__pycache__" not in PurePosixPath(name).parts:
            yield name


def precompile_zip(zip_path: Path) -> int:
    """Add the bytecode of every module in the zip, in place; returns how many were added.

    Entries keep their order, dates and attributes; each `.pyc` follows its
    source's date, so building the same zip twice gives the same bytes.
    A module that does not compile stops the build: Lambda could not import it either.
    """
    with zipfile.ZipFile(zip_path) as original:
        names = original.namelist()
        existing = set(names)
        sources = [name for name in _sources(names) if pyc_name(name) not in existing]
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            for name in sources:
                target = root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(original.read(name))
            _compile_tree(root, sources)
            rebuilt = zip_path.with_name(zip_path.name + ".tmp")
            with zipfile.ZipFile(rebuilt, "w") as output:
                for info in original.infolist():
                    output.writestr(info, original.read(info), compress_type=info.compress_type)
                for name in sources:
                    source_info = original.getinfo(name)
                    info = zipfile.ZipInfo(pyc_name(name), date_time=source_info.date_time)
                    info.external_attr = source_info.external_attr
                    info.create_system = source_info.create_system
                    output.writestr(
                        info, (root / pyc_name(name)).read_bytes(), compress_type=zipfile.ZIP_DEFLATED
                    )
    rebuilt.replace(zip_path)
    return len(sources)


def _compile_tree(root: Path, sources: list[str]) -> None:
    """Compile the unpacked sources where Python would put their bytecode (2 workers, as compileall -j)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=2) as pool:
        failures = [f for f in pool.map(_compile_one, [str(root)] * len(sources), sources) if f]
    if failures:
        raise SystemExit("modules that do not compile:\n" + "\n".join(failures))


def _compile_one(root: str, name: str) -> str:
    try:
        py_compile.compile(
            str(Path(root, name)),
            cfile=str(Path(root, pyc_name(name))),
            dfile=f"{TASK_ROOT}/{name}",
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    except py_compile.PyCompileError as error:
        return f"{name}: {error.msg}"
    return ""


def check_pyc(source: bytes, pyc: bytes) -> list[str]:
    """What is wrong with `pyc` as the unchecked bytecode of `source` for this interpreter ([] if nothing)."""
    import marshal

    problems = []
    if pyc[:4] != importlib.util.MAGIC_NUMBER:
        problems.append(f"magic number {pyc[:4]!r} is not this interpreter's {importlib.util.MAGIC_NUMBER!r}")
    if int.from_bytes(pyc[4:8], "little") != UNCHECKED_HASH_FLAGS:
        problems.append(f"flags {int.from_bytes(pyc[4:8], 'little'):#b} are not unchecked-hash")
    if pyc[8:16] != importlib.util.source_hash(source):
        problems.append("the hash does not match the source beside it")
    if not problems:
        try:
            marshal.loads(pyc[16:])
        except (ValueError, EOFError, TypeError) as error:
            problems.append(f"the code does not load: {error}")
    return problems
