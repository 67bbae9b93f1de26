"""The API tests' fixtures, for the in-process fuzz: the app on moto's mock, with a staff token."""

from tests.api.conftest import api, aws_env, rt  # noqa: F401
