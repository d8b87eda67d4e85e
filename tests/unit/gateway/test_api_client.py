"""The dashboard's TypeScript API types are generated from the gateway's OpenAPI document
(``make api-client``): the committed document is the one the gateway serves, and the types
are what the pinned generator makes of it."""

from __future__ import annotations

import shutil
import subprocess

import orjson
import pytest

from chitti.config import PROJECT_ROOT, Settings
from chitti.gateway.app import create_app

DASHBOARD = PROJECT_ROOT / "dashboard"


def test_the_committed_openapi_document_is_the_served_one() -> None:
    served = create_app(Settings(var_dir="/nonexistent-chitti-test")).openapi()
    committed = orjson.loads((DASHBOARD / "openapi.json").read_bytes())
    assert committed == orjson.loads(orjson.dumps(served)), (
        "the API changed: run `make api-client` and commit dashboard/openapi.json and "
        "dashboard/src/api/schema.d.ts")


def test_the_typescript_types_are_generated_from_it() -> None:
    if shutil.which("npm") is None or not (DASHBOARD / "node_modules").is_dir():
        pytest.skip("needs Node and `npm ci` in dashboard/ (make api-client does both)")
    done = subprocess.run(["npm", "run", "-s", "check:api"], cwd=DASHBOARD,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
