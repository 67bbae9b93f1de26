"""`make package STAGE=prod`: the zip `make deploy` uploads, and a SAM template cfn-lint accepts.

The package is built from a copy of the files git knows (committed or new,
not ignored), so it holds exactly what a fresh checkout would ship: the
committed `vendor/templates` symlink included, local junk excluded. Chalice's
deployment cache is keyed on file contents only, so `make package` starts
without one; this test checks that `chalice deploy` would then pick up that
very zip, byte for byte.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops import bytecode, deployment
from tests.conftest import PROJECT

STAGE = "prod"
APP_ROOTS = ("app.py", "chalicelib/", "templates/")
# Chalice ships its own runtime module beside the app.
CHALICE_RUNTIME = {"chalice/__init__.py", "chalice/app.py"}
# Lambda's runtime for this app; the bytecode in the zip must be for it.
LAMBDA_RUNTIME = "python3.11"
CACHE_TAG = "cpython-311"


def tracked_files(project: Path) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=project,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return sorted(name for name in listed.split("\0") if name and os.path.lexists(project / name))


def copy_checkout(project: Path, target: Path) -> None:
    for name in tracked_files(project):
        source, destination = project / name, target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            os.symlink(os.readlink(source), destination)
        else:
            shutil.copy2(source, destination)
    os.symlink(sys.prefix, target / ".venv")  # the virtualenv this test runs in


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the project copy, the output directory) after `make package STAGE=prod OUT=...`."""
    root = tmp_path_factory.mktemp("package")
    checkout, out = root / "checkout", root / "out"
    copy_checkout(Path(PROJECT), checkout)
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "MAKEFLAGS", "MAKELEVEL")}
    # `-o` keeps make from reinstalling the shared virtualenv (the copy's files are all newer).
    done = subprocess.run(
        ["make", "-o", ".venv/.installed", "package", f"STAGE={STAGE}", f"OUT={out}"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    yield checkout, out


def test_package_holds_a_zip_and_a_sam_template_only(packaged: tuple[Path, Path]) -> None:
    _, out = packaged
    assert sorted(p.name for p in out.iterdir()) == ["deployment.zip", "sam.json"]


def test_sam_template_passes_cfn_lint(packaged: tuple[Path, Path]) -> None:
    _, out = packaged
    lint = Path(sys.executable).with_name("cfn-lint")
    done = subprocess.run([str(lint), str(out / "sam.json")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def zip_names(out: Path) -> list[str]:
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        return archive.namelist()


def dependency_files(out: Path) -> set[str]:
    """Every file an installed distribution put in the zip, from its own RECORD."""
    found: set[str] = set()
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        for name in archive.namelist():
            if name.endswith(".dist-info/RECORD"):
                for line in archive.read(name).decode().splitlines():
                    if line.strip():
                        found.add(line.split(",", 1)[0])
    return found


def test_zip_holds_the_app_its_templates_and_its_dependencies_and_nothing_else(
    packaged: tuple[Path, Path],
) -> None:
    _, out = packaged
    names = zip_names(out)
    app_files = {n for n in names if n.startswith(APP_ROOTS) or n == "app.py"}
    tracked = tracked_files(Path(PROJECT))
    expected_app = {n for n in tracked if n == "app.py" or n.startswith("chalicelib/")}
    # vendor/templates -> ../templates: the templates arrive at the top level of the zip.
    expected_templates = {n for n in tracked if n.startswith("templates/")}
    assert expected_templates, "templates/ is empty"
    # The bytecode `make package` adds is checked below, beside the sources it was compiled from.
    compiled = {bytecode.pyc_name(n, CACHE_TAG) for n in names if n.endswith(".py")}
    app_files -= compiled
    expected_app = {n for n in expected_app if "__pycache__" not in n}
    assert app_files == expected_app | expected_templates
    others = set(names) - app_files - compiled - CHALICE_RUNTIME - dependency_files(out)
    assert not others, f"files no dependency installed and the app does not own: {sorted(others)[:20]}"
    for name in names:
        top = name.split("/", 1)[0]
        assert top not in ("ops", "tests", "docs", "benchmarks", "vendor", ".chalice", "build"), name


def test_zip_holds_no_operator_tooling(packaged: tuple[Path, Path]) -> None:
    _, out = packaged
    tooling = [n for n in tracked_files(Path(PROJECT)) if n.startswith("ops/") and n.endswith(".py")]
    assert "ops/cli.py" in tooling
    assert not [n for n in zip_names(out) if n.startswith("ops/")]


def test_zip_carries_every_runtime_requirement(packaged: tuple[Path, Path]) -> None:
    checkout, out = packaged
    wanted = set()
    for line in (checkout / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            name, _, version = line.partition("==")
            wanted.add((name.lower().replace("-", "_").replace(".", "_"), version))
    present = set()
    for name in zip_names(out):
        if name.endswith(".dist-info/METADATA"):
            dist, _, version = name.split("/", 1)[0].removesuffix(".dist-info").rpartition("-")
            present.add((dist.lower().replace("-", "_").replace(".", "_"), version))
    assert wanted <= present, f"missing from the zip: {sorted(wanted - present)}"


def test_chalice_deploy_would_upload_this_very_zip(packaged: tuple[Path, Path]) -> None:
    """`chalice deploy` builds nothing when its cache holds a zip for these contents: it uploads that one."""
    from chalice.deploy.packager import LambdaDeploymentPackager
    from chalice.utils import OSUtils

    checkout, out = packaged
    config = deployment.chalice_config(STAGE, checkout)
    packager = LambdaDeploymentPackager(
        osutils=OSUtils(),
        dependency_builder=None,
        ui=None,
        architecture=config.lambda_architecture,  # type: ignore[arg-type]
    )
    cached = Path(packager.deployment_package_filename(str(checkout), config.lambda_python_version))
    assert cached.is_file(), f"chalice deploy would build a new zip instead of {cached.name}"
    assert cached.read_bytes() == (out / "deployment.zip").read_bytes()


def test_sam_template_gives_each_function_the_reviewed_policy_limits_and_log_retention(
    packaged: tuple[Path, Path],
) -> None:
    checkout, out = packaged
    template = json.loads((out / "sam.json").read_text())
    resources = template["Resources"]
    functions = deployment.functions(STAGE, checkout)
    for function in functions:
        properties = resources[function.cfn_name]["Properties"]
        assert properties["Timeout"] == function.timeout
        assert properties["MemorySize"] == function.memory
        role = properties["Role"]["Fn::GetAtt"][0]
        documents = [p["PolicyDocument"] for p in resources[role]["Properties"]["Policies"]]
        assert function.policy_file is not None
        assert documents == [json.loads(function.policy_file.read_text())]
        log_group = resources[f"{function.cfn_name}LogGroup"]["Properties"]
        assert log_group["RetentionInDays"] == deployment.LOG_RETENTION_DAYS
    api = resources["RestAPI"]["Properties"]
    assert api["StageName"] == deployment.api_stage(STAGE, checkout)
    assert api["MethodSettings"][0]["ResourcePath"] == "/*"
    assert all(setting["DataTraceEnabled"] is False for setting in api["MethodSettings"])
    assert {"THROTTLED", "MISSING_AUTHENTICATION_TOKEN", "DEFAULT_4XX", "DEFAULT_5XX"} <= set(
        api["GatewayResponses"]
    )


def test_sam_template_attaches_the_stages_waf_web_acl_as_post_deploy_does(
    packaged: tuple[Path, Path],
) -> None:
    """A SAM deploy gets the per-address rate limit too (it used to need a post-deploy)."""
    from ops import waf

    checkout, out = packaged
    resources = json.loads((out / "sam.json").read_text())["Resources"]
    acl = resources["RateLimitWebACL"]
    assert acl["Type"] == "AWS::WAFv2::WebACL"
    assert acl["Properties"]["Scope"] == "REGIONAL"
    # prod leaves WAF_RATE_LIMIT unset: the default limit, the same rule post-deploy writes.
    assert acl["Properties"]["Rules"] == waf.rules(waf.DEFAULT_RATE_LIMIT)
    # The name post-deploy looks for, so running it after a SAM deploy adds no second ACL.
    stage = deployment.api_stage(STAGE, checkout)
    assert acl["Properties"]["Name"] == {"Fn::Sub": f"hr-exam-${{RestAPI}}-{stage}-rate"}
    association = resources["RateLimitWebACLAssociation"]["Properties"]
    assert association["WebACLArn"] == {"Fn::GetAtt": ["RateLimitWebACL", "Arn"]}
    assert "${RestAPI.Stage}" in association["ResourceArn"]["Fn::Sub"]


def test_every_module_in_the_zip_has_unchecked_bytecode_for_python_3_11(packaged: tuple[Path, Path]) -> None:
    """Chalice ships no .pyc: `make package` adds one beside each source, valid for Lambda's 3.11."""
    checkout, out = packaged
    assert deployment.chalice_config(STAGE, checkout).lambda_python_version == LAMBDA_RUNTIME
    assert sys.version_info[:2] == (3, 11), "this check reads the bytecode with the runtime's own Python"
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        names = set(archive.namelist())
        sources = sorted(n for n in names if n.endswith(".py"))
        compiled = sorted(n for n in names if n.endswith(".pyc"))
        assert {"app.py", "chalicelib/__init__.py", "botocore/session.py", "pynamodb/models.py"} <= set(
            sources
        )
        assert compiled == sorted(bytecode.pyc_name(n, CACHE_TAG) for n in sources)
        problems = {}
        for name in sources:
            found = bytecode.check_pyc(archive.read(name), archive.read(bytecode.pyc_name(name, CACHE_TAG)))
            if found:
                problems[name] = found
    assert not problems, dict(list(problems.items())[:10])


def test_a_cold_start_from_the_unzipped_package_compiles_nothing(
    packaged: tuple[Path, Path], tmp_path: Path
) -> None:
    """As in Lambda's read-only /var/task: every module of the package loads from its bytecode."""
    _, out = packaged
    task = tmp_path / "task"
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        archive.extractall(task)
    for path in [task, *task.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~0o222)
    try:
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
        done = subprocess.run(
            [sys.executable, "-S", "-v", "-c", "import app"],
            cwd=task,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        for path in [task, *task.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o200)
    assert done.returncode == 0, done.stderr[-4000:]
    loaded = [
        line.split("code object from ", 1)[1].strip("'")
        for line in done.stderr.splitlines()
        if "code object from " in line and str(task) in line
    ]
    assert str(task / "__pycache__" / f"app.{CACHE_TAG}.pyc") in loaded
    compiled_at_start = [path for path in loaded if not path.endswith(".pyc")]
    assert not compiled_at_start, compiled_at_start[:10]


def test_the_china_stage_packages_for_beijing_and_its_template_passes_cfn_lint_there(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """`make package STAGE=cn-prod`: the SAM template for cn-north-1, linted for that region (make runs
    cfn-lint with `--regions`), every ARN in the aws-cn partition."""
    root = tmp_path_factory.mktemp("package-cn")
    checkout, out = root / "checkout", root / "out"
    copy_checkout(Path(PROJECT), checkout)
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "MAKEFLAGS", "MAKELEVEL")}
    done = subprocess.run(
        ["make", "-o", ".venv/.installed", "package", "STAGE=cn-prod", f"OUT={out}"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "--regions cn-north-1" in done.stdout
    template = (out / "sam.json").read_text(encoding="utf-8")
    assert "arn:aws:" not in template
    assert "arn:aws-cn:dynamodb" in template
