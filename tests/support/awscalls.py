"""Which AWS actions does the deployed code need? Read from the source, not from a list.

The policy tests compare this against each stage's IAM policy, so a boto3 or
PynamoDB call added on any branch fails the suite until the policy grants it.
It reads the AST of `app.py` and `chalicelib/`, and knows:

- boto3 clients: created by `<anything>.client("service", ...)` with a literal
  service name (our `aws.client`, `boto3.client`, a session's `client`), kept in
  a local name, in `self.<attr>`, or returned by a small getter function or
  method (`def _ssm(self): return aws.client("ssm", ...)`). Every method called
  on one is looked up in botocore's own service model; `get_paginator("op")` and
  `get_waiter("name")` count as the operation they run. A call on a receiver the
  scanner cannot type still counts when its name is an operation of a service
  the code uses (clients passed in as parameters are covered that way).
- PynamoDB: model classes (subclasses of `Model`, found across the package),
  their indexes, instances (built, fetched, iterated, or annotated), and
  `TransactWrite` / `TransactGet` / `batch_write()` contexts, each method mapped
  to the IAM action DynamoDB checks (a transaction is authorised per item:
  PutItem, UpdateItem, DeleteItem, ConditionCheckItem, GetItem).
- Code that only ever runs from an operator's machine (bootstrap, post-deploy,
  staff-token management) is skipped: a module that sets `OPERATOR_ONLY = True`
  and any function decorated with `@operator_only` (chalicelib.storage.aws).

What the scanner cannot read is refused rather than guessed: `boto3.resource`,
a client whose service is not a literal, a method on a client that is neither
an operation nor a known helper. Each refusal names the file and line.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import botocore.session
from botocore import xform_name

PROJECT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, order=True)
class Need:
    """One IAM action the code needs, on one kind of resource, and where."""

    action: str  # e.g. "dynamodb:Query"
    resource: str  # "table", "index", "object", "bucket", "identity", "parameter", "service"
    where: str  # "chalicelib/storage/repository.py:201"


class Unreadable(AssertionError):
    """A construct the scanner cannot map to IAM actions: write it another way or teach the scanner."""


# --------------------------------------------------------------------------- botocore knowledge


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def known_services() -> frozenset[str]:
    return frozenset(_session().get_available_services())


@functools.cache
def operations(service: str) -> dict[str, str]:
    """python method name -> operation name, e.g. get_parameter -> GetParameter."""
    model = _session().get_service_model(service)
    return {xform_name(op): op for op in model.operation_names}


@functools.cache
def signing_prefix(service: str) -> str:
    return str(_session().get_service_model(service).signing_name)


def waiter_operation(service: str, waiter: str) -> str:
    model = _session().get_waiter_model(service)
    names = {xform_name(name): name for name in model.waiter_names}
    return str(model.get_waiter(names[waiter]).operation)


# IAM actions whose name differs from the API operation (AWS's Service Authorization Reference).
_ACTION_EXCEPTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    ("s3", "CreateMultipartUpload"): ("s3:PutObject",),
    ("s3", "UploadPart"): ("s3:PutObject",),
    ("s3", "CompleteMultipartUpload"): ("s3:PutObject",),
    ("s3", "ListParts"): ("s3:ListMultipartUploadParts",),
    ("s3", "CopyObject"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "GetBucketEncryption"): ("s3:GetEncryptionConfiguration",),
    ("s3", "PutBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "GetBucketLifecycleConfiguration"): ("s3:GetLifecycleConfiguration",),
    ("s3", "PutBucketLifecycleConfiguration"): ("s3:PutLifecycleConfiguration",),
    ("s3", "GetPublicAccessBlock"): ("s3:GetBucketPublicAccessBlock",),
    ("s3", "PutPublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    # DynamoDB authorises a transaction item by item.
    ("dynamodb", "TransactWriteItems"): (
        "dynamodb:ConditionCheckItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    ),
    ("dynamodb", "TransactGetItems"): ("dynamodb:GetItem",),
}

_S3_OBJECT_ACTIONS = {
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
    "s3:GetObjectTagging",
    "s3:PutObjectTagging",
    "s3:RestoreObject",
}


def iam_actions(service: str, operation: str) -> tuple[str, ...]:
    found = _ACTION_EXCEPTIONS.get((service, operation))
    if found:
        return found
    return (f"{signing_prefix(service)}:{operation}",)


_SSM_ENTRY_ACTIONS = {"ssm:PutParameter", "ssm:DeleteParameter"}


def resource_kind(service: str, action: str, on_index: bool = False) -> str:
    if service == "dynamodb":
        return "index" if on_index else "table"
    if service == "s3":
        return "object" if action in _S3_OBJECT_ACTIONS else "bucket"
    if service in ("ses", "sesv2") and action.split(":", 1)[1].startswith("Send"):
        return "identity"
    if service == "ssm" and action in _SSM_ENTRY_ACTIONS:
        # The Lambda writes only staff tokens' parameters, each one under the path.
        return "parameter-entry"
    if service == "ssm" and "Parameter" in action:
        return "parameter"
    return "service"


# Client methods that are not API operations, and the operations they run.
_CLIENT_HELPERS: dict[str, dict[str, tuple[str, ...]]] = {
    "s3": {
        "upload_file": ("PutObject", "CreateMultipartUpload", "AbortMultipartUpload"),
        "upload_fileobj": ("PutObject", "CreateMultipartUpload", "AbortMultipartUpload"),
        "download_file": ("GetObject", "HeadObject"),
        "download_fileobj": ("GetObject", "HeadObject"),
        "copy": ("CopyObject", "HeadObject"),
    },
}
_CLIENT_HARMLESS = {"close", "can_paginate", "get_paginator", "get_waiter", "exceptions", "meta"}

# PynamoDB: method -> (DynamoDB operations, on the index?) by receiver kind.
_MODEL_CLASS_METHODS: dict[str, tuple[str, ...]] = {
    "get": ("GetItem",),
    "query": ("Query",),
    "scan": ("Scan",),
    "count": ("Query",),
    "batch_get": ("BatchGetItem",),
    "batch_write": ("BatchWriteItem",),
    "exists": ("DescribeTable",),
    "describe_table": ("DescribeTable",),
    "create_table": ("CreateTable", "DescribeTable"),
    "delete_table": ("DeleteTable",),
    "update_ttl": ("UpdateTimeToLive",),
}
_MODEL_INSTANCE_METHODS: dict[str, tuple[str, ...]] = {
    "save": ("PutItem",),
    "update": ("UpdateItem",),
    "delete": ("DeleteItem",),
    "refresh": ("GetItem",),
}
_INDEX_METHODS: dict[str, tuple[str, ...]] = {"query": ("Query",), "scan": ("Scan",), "count": ("Query",)}
_TRANSACT_WRITE_METHODS: dict[str, tuple[str, ...]] = {
    "save": ("PutItem",),
    "update": ("UpdateItem",),
    "delete": ("DeleteItem",),
    "condition_check": ("ConditionCheckItem",),
}
_TRANSACT_GET_METHODS: dict[str, tuple[str, ...]] = {"get": ("GetItem",)}
_BATCH_WRITE_METHODS: dict[str, tuple[str, ...]] = {
    "save": ("BatchWriteItem",),
    "delete": ("BatchWriteItem",),
}
# On a receiver of unknown type, in a module that uses PynamoDB: these names are
# PynamoDB's, and counting them costs at most a grant the table has anyway.
_PYNAMODB_FALLBACK: dict[str, tuple[str, ...]] = {
    "save": ("PutItem",),
    "update": ("UpdateItem",),
    "delete": ("DeleteItem",),
    "refresh": ("GetItem",),
    "condition_check": ("ConditionCheckItem",),
}
_INDEX_BASES = {"GlobalSecondaryIndex", "LocalSecondaryIndex"}


# --------------------------------------------------------------------------- the source


@dataclass
class Module:
    path: Path
    tree: ast.Module

    @property
    def name(self) -> str:
        return str(self.path.relative_to(PROJECT)) if self.path.is_relative_to(PROJECT) else str(self.path)

    @property
    def operator_only(self) -> bool:
        for node in self.tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "OPERATOR_ONLY" for t in node.targets
            ):
                return isinstance(node.value, ast.Constant) and node.value.value is True
        return False

    @property
    def own_names(self) -> frozenset[str]:
        """Names this module imports from our own package: `exam.start_session(...)` is a
        call of our service, not SSM's StartSession."""
        names: set[str] = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("chalicelib"):
                names.update(alias.asname or alias.name for alias in node.names)
        return frozenset(names)

    @property
    def uses_pynamodb(self) -> bool:
        for node in ast.walk(self.tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and (node.module.startswith("pynamodb") or node.module.endswith("storage.models"))
            ):
                return True
        return False


def deployed_sources(project: Path = PROJECT) -> list[Path]:
    """What the Lambda package runs: app.py and chalicelib/."""
    return [project / "app.py", *sorted((project / "chalicelib").rglob("*.py"))]


def parse(paths: Iterable[Path]) -> list[Module]:
    return [Module(path, ast.parse(path.read_text(encoding="utf-8"), str(path))) for path in paths]


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return _name(node.value)
    return None


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_operator_only(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(_name(d) == "operator_only" for d in function.decorator_list)


@dataclass
class Package:
    """What is known across modules: model classes, their indexes, client getters."""

    models: set[str] = field(default_factory=set)
    indexes: set[tuple[str, str]] = field(default_factory=set)  # (model class, attribute)
    getters: dict[str, str] = field(default_factory=dict)  # function or method name -> service
    functions: set[str] = field(default_factory=set)  # every function and method the package defines
    services: set[str] = field(default_factory=set)


def _client_service(call: ast.AST, where: str, passthrough: frozenset[str] = frozenset()) -> str | None:
    """The service of `<x>.client("svc", ...)` / `client("svc")`, else None.

    A factory that hands its own `service` parameter on (`aws.client`) is not
    a use of any service: its callers name the service, and they are scanned."""
    if not isinstance(call, ast.Call):
        return None
    if (
        _name(call.func) == "resource"
        and isinstance(call.func, ast.Attribute)
        and _name(call.func.value) in ("boto3", "session", "_session")
    ):
        raise Unreadable(f"{where}: boto3 resources are not scanned; use a client (chalicelib.storage.aws)")
    if _name(call.func) != "client":
        return None
    first = call.args[0] if call.args else None
    for keyword in call.keywords:
        if keyword.arg == "service_name":
            first = keyword.value
    if isinstance(first, ast.Name) and first.id in passthrough:
        return None
    service = _literal(first)
    if service is None:
        raise Unreadable(f"{where}: a client's service must be a literal string for the policy scan")
    if service not in known_services():
        return None
    return service


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
    arguments = function.args
    return frozenset(a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs])


def survey(modules: list[Module]) -> Package:
    package = Package()
    bases: dict[str, list[str]] = {}
    index_classes: set[str] = set()
    for module in modules:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef):
                names = [n for n in (_name(b) for b in node.bases) if n]
                bases[node.name] = names
                if _INDEX_BASES & set(names):
                    index_classes.add(node.name)
    changed = True
    while changed:
        changed = False
        for cls, names in bases.items():
            if cls not in package.models and ("Model" in names or package.models & set(names)):
                package.models.add(cls)
                changed = True
    for module in modules:
        if module.uses_pynamodb and package.models:
            package.services.add("dynamodb")
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef) and node.name in package.models:
                for statement in node.body:
                    if (
                        isinstance(statement, ast.Assign)
                        and isinstance(statement.value, ast.Call)
                        and _name(statement.value.func) in index_classes
                    ):
                        for target in statement.targets:
                            if isinstance(target, ast.Name):
                                package.indexes.add((node.name, target.id))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                package.functions.add(node.name)
                passthrough = _parameters(node)
                for inner in ast.walk(node):
                    where = f"{module.name}:{getattr(inner, 'lineno', 0)}"
                    if isinstance(inner, ast.Return) and inner.value is not None:
                        # `return self._client if self._client else aws.client("ses", ...)`:
                        # an injected client or a built one, either way the service's.
                        returned = inner.value
                        branches = (
                            [returned.body, returned.orelse]
                            if isinstance(returned, ast.IfExp)
                            else [returned]
                        )
                        for branch in branches:
                            service = _client_service(branch, where, passthrough)
                            if service:
                                package.getters[node.name] = service
                    if isinstance(inner, ast.Call) and not module.operator_only:
                        service = _client_service(inner, where, passthrough)
                        if service:
                            package.services.add(service)
    for module in modules:
        if module.operator_only:
            continue
        for statement in module.tree.body:
            if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                for inner in ast.walk(statement):
                    service = _client_service(inner, f"{module.name}:{getattr(inner, 'lineno', 0)}")
                    if service:
                        package.services.add(service)
    return package


# --------------------------------------------------------------------------- the scan

Kind = tuple[str, ...]  # ("client", svc) | ("model_class", M) | ("model", M) | ("index",) | ...


class _FunctionScan:
    def __init__(self, module: Module, package: Package, attributes: dict[str, Kind]) -> None:
        self.module = module
        self.package = package
        self.attributes = attributes  # self.<attr> -> kind, for the enclosing class
        self.local: dict[str, Kind] = {}
        self.needs: list[Need] = []
        self.passthrough: frozenset[str] = frozenset()

    # Types of expressions --------------------------------------------------

    def kind(self, node: ast.AST) -> Kind | None:
        where = f"{self.module.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Name):
            if node.id in self.local:
                return self.local[node.id]
            if node.id in self.package.models:
                return ("model_class", node.id)
            if node.id == "TransactWrite":
                return ("transact_write_class",)
            if node.id == "TransactGet":
                return ("transact_get_class",)
            if node.id in self.module.own_names:
                return ("opaque",)
            return None
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "self" and node.attr in self.attributes:
                return self.attributes[node.attr]
            owner = self.kind(node.value)
            if owner and owner[0] == "model_class" and (owner[1], node.attr) in self.package.indexes:
                return ("index", owner[1])
            if owner is None and isinstance(node.value, ast.Name) and node.attr in self.package.models:
                return ("model_class", node.attr)  # models.RegistrationItem
            return None
        if isinstance(node, ast.Call):
            service = _client_service(node, where, self.passthrough)
            if service:
                return ("client", service)
            callee = _name(node.func)
            if callee in self.package.getters:
                return ("client", self.package.getters[callee])
            if callee in self.package.functions and callee not in self.package.models:
                # Our own function that is not a client getter returns no client
                # (jinja's `environment().get_template` is not SES's GetTemplate).
                return ("opaque",)
            if isinstance(node.func, ast.Name) and node.func.id in self.package.models:
                return ("model", node.func.id)
            if isinstance(node.func, ast.Name) and node.func.id == "TransactWrite":
                return ("transact_write",)
            if isinstance(node.func, ast.Name) and node.func.id == "TransactGet":
                return ("transact_get",)
            if isinstance(node.func, ast.Attribute):
                owner = self.kind(node.func.value)
                method = node.func.attr
                if owner and owner[0] == "model_class":
                    if method == "get":
                        return ("model", owner[1])
                    if method in ("query", "scan", "batch_get"):
                        return ("model_iter", owner[1])
                    if method == "batch_write":
                        return ("batch_write", owner[1])
                if owner and owner[0] == "index" and method in ("query", "scan"):
                    return ("model_iter", owner[1])
                if owner and owner[0] == "client" and method == "get_paginator":
                    return ("paginator", owner[1])
        return None

    # Recording -------------------------------------------------------------

    def need(self, service: str, operations_: Iterable[str], node: ast.AST, on_index: bool = False) -> None:
        where = f"{self.module.name}:{getattr(node, 'lineno', 0)}"
        for operation in operations_:
            for action in iam_actions(service, operation):
                self.needs.append(Need(action, resource_kind(service, action, on_index), where))

    def call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Attribute):
            return
        method = node.func.attr
        receiver = self.kind(node.func.value)
        where = f"{self.module.name}:{node.lineno}"
        if receiver is None:
            self.fallback(method, node)
            return
        tag = receiver[0]
        if tag == "client":
            service = receiver[1]
            if method in operations(service):
                self.need(service, [operations(service)[method]], node)
            elif method == "get_paginator":
                op = _literal(node.args[0] if node.args else None)
                if op is None or op not in operations(service):
                    raise Unreadable(f"{where}: get_paginator needs a literal operation name")
                self.need(service, [operations(service)[op]], node)
            elif method == "get_waiter":
                name = _literal(node.args[0] if node.args else None)
                if name is None:
                    raise Unreadable(f"{where}: get_waiter needs a literal waiter name")
                self.need(service, [waiter_operation(service, name)], node)
            elif method == "generate_presigned_url":
                target = None
                for keyword in node.keywords:
                    if keyword.arg == "ClientMethod":
                        target = _literal(keyword.value)
                if target is None and node.args:
                    target = _literal(node.args[0])
                if target is None or target not in operations(service):
                    raise Unreadable(f"{where}: generate_presigned_url needs a literal ClientMethod")
                self.need(service, [operations(service)[target]], node)
            elif method in _CLIENT_HELPERS.get(service, {}):
                self.need(service, _CLIENT_HELPERS[service][method], node)
            elif method not in _CLIENT_HARMLESS:
                raise Unreadable(f"{where}: {service} client has no operation {method!r} the scan knows")
        elif tag == "model_class" and method in _MODEL_CLASS_METHODS:
            operations_ = _MODEL_CLASS_METHODS[method]
            if method == "count" and not node.args:
                operations_ = ("DescribeTable",)  # PynamoDB counts a whole table from DescribeTable
            self.need("dynamodb", operations_, node)
        elif tag == "model" and method in _MODEL_INSTANCE_METHODS:
            self.need("dynamodb", _MODEL_INSTANCE_METHODS[method], node)
        elif tag == "index" and method in _INDEX_METHODS:
            self.need("dynamodb", _INDEX_METHODS[method], node, on_index=True)
        elif tag == "transact_write" and method in _TRANSACT_WRITE_METHODS:
            self.need("dynamodb", _TRANSACT_WRITE_METHODS[method], node)
        elif tag == "transact_get" and method in _TRANSACT_GET_METHODS:
            self.need("dynamodb", _TRANSACT_GET_METHODS[method], node)
        elif tag == "batch_write" and method in _BATCH_WRITE_METHODS:
            self.need("dynamodb", _BATCH_WRITE_METHODS[method], node)

    def fallback(self, method: str, node: ast.Call) -> None:
        """A receiver of unknown type: count the call when its name can only be AWS's."""
        matched = False
        for service in sorted(self.package.services):
            if method in operations(service) and method not in ("get", "update", "delete"):
                on_index = service == "dynamodb" and method in ("query", "scan")
                self.need(service, [operations(service)[method]], node)
                if on_index:
                    self.need(service, [operations(service)[method]], node, on_index=True)
                matched = True
        if not matched and self.module.uses_pynamodb and method in _PYNAMODB_FALLBACK:
            self.need("dynamodb", _PYNAMODB_FALLBACK[method], node)

    # Binding names ---------------------------------------------------------

    def bind(self, target: ast.AST, kind: Kind | None) -> None:
        if kind is None:
            return
        if isinstance(target, ast.Name):
            self.local[target.id] = kind

    def element(self, kind: Kind | None) -> Kind | None:
        """What iterating over `kind` gives."""
        if kind and kind[0] == "model_iter":
            return ("model", kind[1])
        return None

    def walk(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[Need]:
        self.passthrough = self.passthrough | _parameters(function)
        for argument in [*function.args.args, *function.args.kwonlyargs]:
            annotation = _name(argument.annotation) if argument.annotation else None
            if annotation in self.package.models:
                self.local[argument.arg] = ("model", annotation)
        self._statements(function.body)
        return self.needs

    def _statements(self, body: list[ast.stmt]) -> None:
        for statement in body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                if not _is_operator_only(statement):
                    inner = _FunctionScan(self.module, self.package, self.attributes)
                    inner.local = dict(self.local)
                    inner.passthrough = self.passthrough
                    self.needs.extend(inner.walk(statement))
                continue
            if isinstance(statement, ast.ClassDef):
                continue
            self._expressions(statement)
            if isinstance(statement, ast.Assign):
                kind = self.kind(statement.value)
                for target in statement.targets:
                    self.bind(target, kind)
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                self.bind(statement.target, self.kind(statement.value))
            elif isinstance(statement, ast.For | ast.AsyncFor):
                self.bind(statement.target, self.element(self._iterable(statement.iter)))
            elif isinstance(statement, ast.With | ast.AsyncWith):
                for item in statement.items:
                    kind = self.kind(item.context_expr)
                    if item.optional_vars is not None:
                        self.bind(item.optional_vars, kind)
            for child in ("body", "orelse", "finalbody", "handlers"):
                nested = getattr(statement, child, None)
                if isinstance(nested, list):
                    blocks = [h.body for h in nested] if child == "handlers" else [nested]
                    for block in blocks:
                        self._statements(block)
            if isinstance(statement, ast.Match):
                for case in statement.cases:
                    self._statements(case.body)

    def _iterable(self, node: ast.AST) -> Kind | None:
        if isinstance(node, ast.Call) and _name(node.func) == "list" and node.args:
            return self.kind(node.args[0])
        return self.kind(node)

    def _expressions(self, statement: ast.stmt) -> None:
        """Every call in this statement, not descending into nested blocks or functions."""
        pending: list[ast.AST] = []
        for name, value in ast.iter_fields(statement):
            if name in ("body", "orelse", "finalbody", "handlers", "cases"):
                continue
            if isinstance(value, list):
                pending.extend(v for v in value if isinstance(v, ast.AST))
            elif isinstance(value, ast.AST):
                pending.append(value)
        while pending:
            node = pending.pop()
            if isinstance(node, ast.Lambda):
                pending.append(node.body)
                continue
            if isinstance(node, ast.comprehension):
                kind = self.element(self._iterable(node.iter))
                self.bind(node.target, kind)
            if isinstance(node, ast.Call):
                self.call(node)
            pending.extend(ast.iter_child_nodes(node))


def _class_attributes(scan_module: Module, package: Package, cls: ast.ClassDef) -> dict[str, Kind]:
    """`self.<attr> = <client>` anywhere in the class."""
    probe = _FunctionScan(scan_module, package, {})
    found: dict[str, Kind] = {}
    for node in ast.walk(cls):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ):
                    kind = probe.kind(node.value)
                    if kind:
                        found[target.attr] = kind
    return found


def scan(modules: list[Module]) -> list[Need]:
    """Every IAM action the non-operator code needs."""
    package = survey(modules)
    needs: list[Need] = []
    for module in modules:
        if module.operator_only:
            continue
        needs.extend(_scan_body(module, package, module.tree.body, {}))
    return sorted(set(needs))


def _scan_body(
    module: Module, package: Package, body: list[ast.stmt], attributes: dict[str, Kind]
) -> Iterator[Need]:
    top = _FunctionScan(module, package, attributes)
    for statement in body:
        if isinstance(statement, ast.ClassDef):
            yield from _scan_body(
                module, package, statement.body, _class_attributes(module, package, statement)
            )
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            if not _is_operator_only(statement):
                yield from _FunctionScan(module, package, attributes).walk(statement)
        else:
            top._statements([statement])
    yield from top.needs


def scan_project(project: Path = PROJECT) -> list[Need]:
    return scan(parse(deployed_sources(project)))
