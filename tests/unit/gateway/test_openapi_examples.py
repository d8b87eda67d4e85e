"""Every request body in the OpenAPI document has an example, and each example is a request
the route accepts (validated by the route's own model)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from chitti.config import Settings
from chitti.gateway.app import create_app

APP = create_app(Settings(var_dir="/nonexistent-chitti-test"))


def body_models() -> list[tuple[str, type[BaseModel]]]:
    found = []
    for route in APP.router.routes:
        if isinstance(route, APIRoute) and route.body_field is not None:
            annotation: Any = route.body_field.field_info.annotation
            models = [a for a in getattr(annotation, "__args__", (annotation,))
                      if isinstance(a, type) and issubclass(a, BaseModel)]
            found += [(f"{sorted(route.methods)[0]} {route.path}", m) for m in models]
    return found


def test_every_request_body_has_an_example() -> None:
    spec = APP.openapi()
    schemas = spec["components"]["schemas"]
    missing = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for content in op.get("requestBody", {}).get("content", {}).values():
                schema = content["schema"]
                refs = [s["$ref"] for s in [schema, *schema.get("anyOf", ())] if "$ref" in s]
                resolved = [schemas[r.rsplit("/", 1)[1]] for r in refs] or [schema]
                if not any("examples" in s or any("examples" in p for p in s.get(
                        "properties", {}).values()) for s in resolved):
                    missing.append(f"{method.upper()} {path}")
    assert not missing


@pytest.mark.parametrize(("route", "model"), body_models(), ids=lambda v: str(v))
def test_each_example_is_a_valid_request(route: str, model: type[BaseModel]) -> None:
    examples = (model.model_config.get("json_schema_extra") or {}).get("examples", [])
    for example in examples:  # type: ignore[union-attr]
        model.model_validate(example)
