"""Errors as RFC 9457 problem documents (`application/problem+json`).

Every refusal the API makes, DRF's own and the billing rules', answers with one shape:
{"type", "title", "status", "detail"} and, for invalid input, "errors" by field, holding the
same messages the pages show.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from billing_site.errors import BillingError

PROBLEM_CONTENT_TYPE = "application/problem+json"
# The rules refused a well-formed request (already invoiced, more than is left to credit...).
RULE_REFUSED = status.HTTP_422_UNPROCESSABLE_ENTITY
TITLES = {
    400: "Invalid request",
    401: "Not authenticated",
    403: "Permission denied",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    415: "Unsupported media type",
    422: "Refused by the billing rules",
    429: "Too many requests",
}


def problem_exception_handler(exc, context) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every known error as a problem document."""
    if isinstance(exc, BillingError):
        return problem_response(RULE_REFUSED, detail=str(exc), request=context.get("request"))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = exception_handler(exc, context)  # maps Http404 and PermissionDenied too
    if response is None:
        return None
    errors = None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        detail = _first_message(errors)
    elif isinstance(exc, Http404):
        detail = "Not found."
    elif isinstance(exc, DjangoPermissionDenied):
        detail = str(exceptions.PermissionDenied.default_detail)
    else:
        detail = str(getattr(exc, "detail", exc))
    problem = problem_response(
        response.status_code, detail=detail, errors=errors, request=context.get("request")
    )
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            problem[header] = response[header]
    return problem


def problem_response(
    status_code: int, *, detail: str, errors=None, request=None, title: str | None = None
) -> Response:
    body = {
        "type": "about:blank",
        "title": title or TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    if request is not None:
        body["instance"] = request.path
    response = Response(body, status=status_code)
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or renderer.format == "json" or getattr(renderer, "problems_as_json", 0):
        response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _first_message(errors) -> str:
    """The first message of a (nested) error structure, for `detail`."""
    while isinstance(errors, dict | list) and errors:
        errors = next(iter(errors.values())) if isinstance(errors, dict) else errors[0]
    return str(errors) if errors else "Invalid request."
