"""One signed POST to an endpoint; the answer classified for the retry policy."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from typing import Any

from webhooks import errors
from webhooks.errors import TransientError

# "Not now" answers: request timeout, too early, rate limited. Every 5xx too.
TRANSIENT_HTTP = frozenset({408, 425, 429})
# How much of an answer's body is kept with the delivery.
BODY_CHARS = 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new address: urllib would turn the POST into a GET."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def is_transient(status: int) -> bool:
    return status >= 500 or status in TRANSIENT_HTTP


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    """POST and return (status, start of the body); TransientError when nobody answers."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, _start(response.read(BODY_CHARS))
    except urllib.error.HTTPError as error:
        return error.code, _start(error.read(BODY_CHARS))
    # Refused, unreachable, timed out, or an answer that is not HTTP.
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", None) or str(error) or type(error).__name__
        raise TransientError(errors.UNREACHABLE.format(reason=reason)) from error


def _start(data: bytes) -> str:
    return data.decode(errors="replace").strip()[:BODY_CHARS]
