"""What a stage deploys, computed by Chalice itself: its Lambda functions and their settings.

`chalice deploy` and `chalice package` build an application graph from
`.chalice/config.json` and the app's routes and schedules; this module asks
the same graph builder, so the post-deploy step, the SAM additions and the
tests see every function a later branch adds (a new `@app.schedule`
included) without anyone keeping a list.

Operator-only: it imports Chalice's deployer, which the Lambda package does
not carry.
"""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]

# Stages that run only against the emulator (`make run`, the tests); every other stage is deployed.
LOCAL_STAGES = frozenset({"local"})
# How long CloudWatch keeps the functions' logs (which carry no personal data).
LOG_RETENTION_DAYS = 180


@dataclass(frozen=True)
class Function:
    """One Lambda function of a stage, as Chalice will create it."""

    name: str  # Chalice's name: api_handler, export_passers
    function_name: str  # the Lambda function's: hr-exam-prod, hr-exam-prod-export_passers
    handler: str
    timeout: int
    memory: int
    policy_file: Path | None  # the role's policy when `autogen_policy` is off
    environment: dict[str, str]

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def cfn_name(self) -> str:
        """Its logical ID in the SAM template `chalice package` writes."""
        from chalice.utils import to_cfn_resource_name

        return "APIHandler" if self.name == "api_handler" else to_cfn_resource_name(self.name)


def partition(region: str) -> str:
    """The ARN partition of a region: AWS China's regions (cn-north-1, cn-northwest-1) are `aws-cn`."""
    return "aws-cn" if region.startswith("cn-") else "aws"


def project_config(project: Path = PROJECT) -> dict[str, Any]:
    return dict(json.loads((project / ".chalice" / "config.json").read_text(encoding="utf-8")))


def deployed_stages(project: Path = PROJECT) -> list[str]:
    return sorted(set(project_config(project).get("stages", {})) - LOCAL_STAGES)


def _app(project: Path) -> Any:
    if str(project) not in sys.path:
        sys.path.insert(0, str(project))
    return importlib.import_module("app").app


def chalice_config(stage: str, project: Path = PROJECT) -> Any:
    """Chalice's Config for a stage, built as `chalice deploy` builds it (without touching os.environ)."""
    from chalice.config import Config
    from chalice.constants import DEFAULT_APIGATEWAY_STAGE_NAME, DEFAULT_ENDPOINT_TYPE

    return Config(
        chalice_stage=stage,
        user_provided_params={"chalice_app": _app(project)},
        config_from_disk=project_config(project),
        default_params={
            "project_dir": str(project),
            "api_gateway_stage": DEFAULT_APIGATEWAY_STAGE_NAME,
            "api_gateway_endpoint_type": DEFAULT_ENDPOINT_TYPE,
            "autogen_policy": True,
        },
    )


def functions(stage: str, project: Path = PROJECT) -> list[Function]:
    """Every Lambda function the stage deploys: the API handler, schedules, other event handlers."""
    from chalice.deploy import models
    from chalice.deploy.appgraph import ApplicationGraphBuilder, DependencyBuilder

    config = chalice_config(stage, project)
    application = ApplicationGraphBuilder().build(config, stage)
    found: list[Function] = []
    for resource in DependencyBuilder().build_dependencies(application):
        if not isinstance(resource, models.LambdaFunction):
            continue
        policy_file = None
        role = resource.role
        if isinstance(role, models.ManagedIAMRole) and isinstance(role.policy, models.FileBasedIAMPolicy):
            policy_file = Path(role.policy.filename)
        found.append(
            Function(
                name=resource.resource_name,
                function_name=resource.function_name,
                handler=resource.handler,
                timeout=int(resource.timeout),
                memory=int(resource.memory_size),
                policy_file=policy_file,
                environment=dict(resource.environment_variables),
            )
        )
    return sorted(found, key=lambda f: f.name)


def api_stage(stage: str, project: Path = PROJECT) -> str:
    """API Gateway's stage name: the first segment of every URL (`/v1/`)."""
    return str(chalice_config(stage, project).api_gateway_stage)


def routes(project: Path = PROJECT) -> list[tuple[str, str]]:
    """(path, method) of every route in the app."""
    table = _app(project).routes
    return sorted((path, method) for path, methods in table.items() for method in methods)


def deployed_record(stage: str, project: Path = PROJECT) -> dict[str, Any]:
    """What `chalice deploy` recorded in `.chalice/deployed/<stage>.json`."""
    path = project / ".chalice" / "deployed" / f"{stage}.json"
    if not path.is_file():
        raise SystemExit(f"{path} is missing: run `chalice deploy --stage {stage}` (or `make deploy`) first")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def sam_overrides(stage: str, project: Path = PROJECT, waf_rate_limit: int = 0) -> dict[str, Any]:
    """What `chalice package --merge-template` adds to the SAM template: the same throttling,
    gateway responses and WAF web ACL `post-deploy` applies, and a log group with a retention
    per function."""
    from ops import gateway, waf

    resources: dict[str, Any] = {}
    table = routes(project)
    if table:
        resources["RestAPI"] = {
            "Properties": {
                "MethodSettings": gateway.sam_method_settings(table),
                "GatewayResponses": gateway.sam_gateway_responses(),
            }
        }
    for function in functions(stage, project):
        resources[f"{function.cfn_name}LogGroup"] = {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": {"Fn::Sub": f"/aws/lambda/${{{function.cfn_name}}}"},
                "RetentionInDays": LOG_RETENTION_DAYS,
            },
        }
    if table:
        resources.update(waf.sam_resources(waf_rate_limit, api_stage(stage, project)))
    return {"Resources": resources}


def cached_package(stage: str, project: Path = PROJECT) -> Path:
    """The zip `chalice deploy` reuses, unbuilt, while the project's contents stay the same.

    `chalice package` builds it there first and copies it out; `make package`
    precompiles the copy and puts it back here, so the deploy uploads that very zip."""
    from chalice.deploy.packager import LambdaDeploymentPackager
    from chalice.utils import OSUtils

    config = chalice_config(stage, project)
    packager = LambdaDeploymentPackager(
        osutils=OSUtils(),
        dependency_builder=None,  # type: ignore[arg-type]
        ui=None,  # type: ignore[arg-type]
        architecture=config.lambda_architecture,
    )
    return Path(packager.deployment_package_filename(str(project), config.lambda_python_version))


def precompile_package(stage: str, package: Path, project: Path = PROJECT) -> str:
    """Add bytecode to the zip `chalice package` wrote, and to the copy `chalice deploy` will reuse."""
    import shutil

    from ops import bytecode

    runtime = str(chalice_config(stage, project).lambda_python_version)
    if runtime != bytecode.runtime_of_this_interpreter():
        raise SystemExit(
            f"the functions run {runtime}: compile with that Python, not {sys.version.split()[0]}"
        )
    cached = cached_package(stage, project)
    if not cached.is_file() or cached.read_bytes() != package.read_bytes():
        raise SystemExit(
            f"{package} is not the zip chalice deploy would reuse ({cached}): run chalice package"
        )
    count = bytecode.precompile_zip(package)
    shutil.copyfile(package, cached)
    return f"{package}: bytecode for {count} modules ({runtime}, unchecked hash); chalice deploy reuses it"
