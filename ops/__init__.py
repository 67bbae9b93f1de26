"""Operator and developer tooling: the CLI's commands, the dev stack, provisioning and post-deploy,
packaging, API Gateway settings, the demo seed. Never packaged for Lambda; nothing in chalicelib imports it
(except the `python -m chalicelib.cli` shim)."""
