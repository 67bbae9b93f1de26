"""The policy scan itself: each way code reaches AWS is found, each refusal is loud.

Snippets stand for what other branches will write; each is scanned alone as
if it were a module of chalicelib.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.support import awscalls

MODELS = """
from pynamodb.models import Model
from pynamodb.indexes import GlobalSecondaryIndex

class ByPeriod(GlobalSecondaryIndex["Item"]):
    pass

class Base(Model):
    pass

class Item(Base):
    by_period = ByPeriod()
"""


def scan(tmp_path: Path, source: str, with_models: bool = True) -> set[tuple[str, str]]:
    paths = []
    if with_models:
        models = tmp_path / "models.py"
        models.write_text(MODELS)
        paths.append(models)
    module = tmp_path / "feature.py"
    module.write_text(textwrap.dedent(source))
    paths.append(module)
    needs = awscalls.scan(awscalls.parse(paths))
    return {(need.action, need.resource) for need in needs if need.where.split(":")[0].endswith("feature.py")}


CASES = [
    pytest.param(
        """
        from chalicelib.storage import aws
        def send(raw):
            aws.client("ses", "ap-southeast-1").send_raw_email(RawMessage={"Data": raw})
        """,
        {("ses:SendRawEmail", "identity")},
        id="chained-client",
    ),
    pytest.param(
        """
        import boto3
        def put(body):
            s3 = boto3.client("s3")
            s3.put_object(Bucket="b", Key="exports/x.csv", Body=body)
            s3.head_object(Bucket="b", Key="exports/x.csv")
        """,
        {("s3:PutObject", "object"), ("s3:GetObject", "object")},
        id="local-client-and-renamed-action",
    ),
    pytest.param(
        """
        from chalicelib.storage import aws
        class Mailer:
            def __init__(self):
                self._ses = aws.client("sesv2", "ap-southeast-1")
            def send(self, raw):
                self._ses.send_email(Content={"Raw": {"Data": raw}})
        """,
        {("ses:SendEmail", "identity")},
        id="client-in-self-attribute",
    ),
    pytest.param(
        """
        from chalicelib.storage import aws
        class Papers:
            def _s3(self):
                return aws.client("s3", "ap-east-1")
            def load(self, key):
                return self._s3().get_object(Bucket="b", Key=key)
        """,
        {("s3:GetObject", "object")},
        id="client-getter-method",
    ),
    pytest.param(
        """
        from chalicelib.storage import aws
        def everything(prefix):
            pages = aws.client("ssm", "r").get_paginator("get_parameters_by_path").paginate(Path=prefix)
            aws.client("dynamodb", "r").get_waiter("table_exists").wait(TableName="t")
            return pages
        """,
        {("ssm:GetParametersByPath", "parameter"), ("dynamodb:DescribeTable", "table")},
        id="paginator-and-waiter",
    ),
    pytest.param(
        """
        from chalicelib.storage import aws
        def link(key):
            aws.client("s3", "r")
            s3 = aws.client("s3", "r")
            return s3.generate_presigned_url(ClientMethod="get_object", Params={"Key": key})
        def upload(path):
            aws.client("s3", "r").upload_file(path, "b", "exports/x")
        """,
        {("s3:GetObject", "object"), ("s3:PutObject", "object"), ("s3:AbortMultipartUpload", "object")},
        id="client-helpers",
    ),
    pytest.param(
        """
        from chalicelib.storage import aws
        def deliver(ses_client, raw):
            aws.client("ses", "r")
            ses_client.send_raw_email(RawMessage={"Data": raw})
        """,
        {("ses:SendRawEmail", "identity")},
        id="injected-client-by-operation-name",
    ),
    pytest.param(
        """
        from models import Item
        def reads(period_id):
            one = Item.get("pk", "sk")
            many = list(Item.query("pk"))
            for item in Item.by_period.query(period_id):
                item.update(actions=[])
            Item.scan()
            Item.batch_get([("a", "b")])
            return one, many
        """,
        {
            ("dynamodb:GetItem", "table"),
            ("dynamodb:Query", "table"),
            ("dynamodb:Query", "index"),
            ("dynamodb:UpdateItem", "table"),
            ("dynamodb:Scan", "table"),
            ("dynamodb:BatchGetItem", "table"),
        },
        id="pynamodb-reads",
    ),
    pytest.param(
        """
        from models import Item
        from pynamodb.transactions import TransactWrite
        def writes(connection, rows):
            item = Item("pk", "sk")
            item.save()
            item.delete()
            with TransactWrite(connection=connection) as transaction:
                transaction.condition_check(Item, "pk", "sk", condition=None)
                transaction.save(Item("a", "b"))
            with Item.batch_write() as batch:
                for row in rows:
                    batch.save(row)
        """,
        {
            ("dynamodb:PutItem", "table"),
            ("dynamodb:DeleteItem", "table"),
            ("dynamodb:ConditionCheckItem", "table"),
            ("dynamodb:BatchWriteItem", "table"),
        },
        id="pynamodb-writes-transactions-batches",
    ),
    pytest.param(
        """
        from models import Item
        def annotated(item: Item):
            item.refresh()
        """,
        {("dynamodb:GetItem", "table")},
        id="pynamodb-annotated-instance",
    ),
    pytest.param(
        """
        from models import Item
        from chalicelib.storage import aws
        OPERATOR_ONLY = True
        def provision():
            aws.client("dynamodb", "r").create_table(TableName="t")
            Item.create_table()
        """,
        set(),
        id="operator-only-module",
    ),
    pytest.param(
        """
        from chalicelib.storage import aws
        @aws.operator_only
        def rotate(name):
            aws.client("ssm", "r").put_parameter(Name=name, Value="v", Overwrite=True)
        def read(name):
            return aws.client("ssm", "r").get_parameter(Name=name)
        """,
        {("ssm:GetParameter", "parameter")},
        id="operator-only-function",
    ),
    pytest.param(
        """
        import functools
        def environment():
            import jinja2
            return jinja2.Environment()
        def render(name):
            return environment().get_template(name).render()
        """,
        set(),
        id="our-own-functions-are-not-clients",
    ),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_scan_maps_each_call_to_the_iam_action_aws_checks(
    tmp_path: Path, source: str, expected: set[tuple[str, str]]
) -> None:
    assert scan(tmp_path, source) == expected


REFUSED = [
    pytest.param(
        """
        import boto3
        def table():
            return boto3.resource("dynamodb").Table("t")
        """,
        "resources are not scanned",
        id="boto3-resource",
    ),
    pytest.param(
        """
        from chalicelib.storage import aws
        SERVICES = {"mail": "ses"}
        def client():
            return aws.client(SERVICES["mail"], "r")
        """,
        "literal",
        id="service-not-literal",
    ),
    pytest.param(
        """
        from chalicelib.storage import aws
        def pages(name):
            return aws.client("ssm", "r").get_paginator(name)
        """,
        "literal operation",
        id="paginator-not-literal",
    ),
    pytest.param(
        """
        from chalicelib.storage import aws
        def odd():
            return aws.client("s3", "r").not_an_operation()
        """,
        "no operation",
        id="unknown-client-method",
    ),
]


@pytest.mark.parametrize(("source", "message"), REFUSED)
def test_scan_refuses_what_it_cannot_read(tmp_path: Path, source: str, message: str) -> None:
    with pytest.raises(awscalls.Unreadable, match=message):
        scan(tmp_path, source)


def test_scan_counts_a_client_factory_that_passes_its_service_through_as_no_use(tmp_path: Path) -> None:
    source = """
    import boto3
    def client(service, region):
        return boto3.session.Session().client(service, region_name=region)
    """
    assert scan(tmp_path, source, with_models=False) == set()
