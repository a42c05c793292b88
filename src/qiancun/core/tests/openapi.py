"""What the published OpenAPI document says about an operation, and whether an answer matches it."""

import json
from functools import cache

import jsonschema_rs
from ninja.openapi.schema import REF_TEMPLATE, NinjaGenerateJsonSchema


def operations(api):
    """Every operation the document describes."""
    for bound in api._get_bound_routers():
        for view in bound.path_operations.values():
            yield from (op for op in view.operations if op.include_in_schema)


def own_definitions(op):
    """(name, schema) of every named schema the operation's body and answers refer to, as the operation
    alone would publish them (the document keeps one schema per name for all operations)."""
    models = [(model, "validation", True) for model in op.models]  # as ninja.openapi.schema publishes them
    models += [(model, "serialization", op.by_alias) for status, model in op.response_models.items() if status is not Ellipsis and model]
    for model, mode, by_alias in models:
        schema = model.model_json_schema(ref_template=REF_TEMPLATE, by_alias=by_alias, schema_generator=NinjaGenerateJsonSchema, mode=mode)
        yield from schema.get("$defs", {}).items()


@cache
def _document() -> dict:
    from qiancun.api import api

    return api.get_openapi_schema()


def answer_errors(response, method: str, path: str) -> list[str]:
    """How an API answer departs from what the published document says of `method path` and its status."""
    document = _document()
    described = document["paths"][path][method.lower()]["responses"][response.status_code]
    schema = {**described["content"]["application/json"]["schema"], "components": document["components"]}
    validator = jsonschema_rs.validator_for(schema)
    return [f"{error.instance_path}: {error.message}" for error in validator.iter_errors(json.loads(response.content))]
