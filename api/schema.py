"""The OpenAPI schema's shared parts: the API-key scheme and the problem responses."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An RFC 9457 problem document.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["type", "title", "status", "detail"],
}
# The refusals any operation may answer with; each operation adds its own on top.
COMMON_PROBLEMS = {
    "400": "Invalid request: the fields or parameters at fault, with the pages' messages.",
    "401": "No API key, or an unknown or revoked one.",
    "403": "The key's owner lacks the permission this needs.",
    "404": "No such object (or not one this operation applies to).",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "Conflict: what was previewed changed (the problem carries the new state), or a "
    "request with this Idempotency-Key is still being processed.",
    "415": "Unsupported media type.",
    "422": "Refused by the billing rules.",
    "429": "Rate limit reached: retry after the Retry-After header's seconds.",
}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key made on your account page: `Authorization: Bearer bbo_…`.",
        }


def problem_responses_add(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the problem responses."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in COMMON_PROBLEMS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": reference}},
                    },
                )
    return result
