"""A property-based fuzz run of the whole OpenAPI document against the running system, as an
admin (schemathesis generates valid and invalid requests from the schema): no 5xx, every
status documented, every body matching its declared schema and content type."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks
from schemathesis.generation import GenerationMode
from tests.e2e.harness import System

#: Examples per operation and mode: enough to hit each class of bad input, few enough for
#: make test.
EXAMPLES = 20
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance]
#: Opening a stream never ends; its access and validation are tested elsewhere.
STREAMING = {"/api/alerts/stream"}
#: Valid requests queue real trainings (minutes of CPU each, for the rest of the run); their
#: invalid ones are still fuzzed, and training itself is tested in tests/integration.
INVALID_ONLY = {"/api/ml/train"}


@pytest.mark.slow
def test_no_request_breaks_the_api(own_system: System) -> None:
    # an admin may delete feeds, users' lists and keys: the fuzzer gets a system of its own
    key = own_system.add_user("fuzzer", "admin")
    # Warm-up: on a fresh clone the first signal generation compiles every rule's kernels
    # (tens of seconds; issue 16 moves that out of the first request), which is not what
    # this test is about.
    # On a busy machine the compile outlasts the gateway's 120 s wait (504); the service goes
    # on compiling, and a later call finds the kernels ready.
    for _ in range(4):
        warm = own_system.http.post("/api/signals/generate", json={"symbol": "TCS"}, timeout=300)
        if warm.status_code != 504:
            break
    assert warm.status_code == 200, warm.text
    schema = schemathesis.openapi.from_url(own_system.url + "/openapi.json")
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in STREAMING:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode is GenerationMode.POSITIVE and operation.path in INVALID_ONLY:
                continue

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case: Any) -> None:
                case.call_and_validate(headers={"X-API-Key": key}, checks=CHECKS, timeout=120)

            try:
                run()
            except Unsatisfiable:
                continue  # no invalid request exists (GET /health has no parameters)
            except (Exception, BaseExceptionGroup) as exc:  # every failing operation is listed
                failures.append(f"{operation.label} ({mode.value}): {exc}"[:1500])
    assert not failures, "\n\n".join(failures)
