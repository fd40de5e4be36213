"""How a webhook delivery attempt can end, and the words the admin shows for each (pure)."""

from __future__ import annotations

from billing_site.errors import BillingError


class WebhookError(BillingError):
    """A delivery attempt did not deliver; the message says why."""


class TransientError(WebhookError):
    """Worth trying again later: refused connection, timeout, 5xx, 408, 425, 429."""


class PermanentError(WebhookError):
    """Trying again would fail the same way: any other 4xx, a redirect."""


DELIVERED = "HTTP {status}"
REFUSED = "HTTP {status} {body}"
UNREACHABLE = "Could not be reached: {reason}"
GAVE_UP = "Failed after {attempts} attempts: {reason}"
UNEXPECTED = "Unexpected error: {error!r}"
ENDPOINT_DISABLED = "The endpoint is disabled: nothing was sent."
NOT_QUEUED = "Not queued: the task broker could not be reached; the sweep queues it again."
# Admin and endpoint validation.
URL_SCHEME = "Enter an http:// or https:// address."
UNKNOWN_EVENTS = "Unknown event type(s): {names}."
NO_EVENTS = "Choose at least one event."
BAD_SECRET = "A secret is “whsec_” followed by base64 (as generated)."
ENDPOINT_INACTIVE = "Endpoint “{endpoint}” is disabled: enable it before sending a test event."
NOTHING_TO_REDELIVER = "Nothing selected to redeliver."
