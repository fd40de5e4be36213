"""How a webhook delivery attempt can end, and the words the admin shows for each (pure).

Messages are `Message`s: English to compare and store, shown in the reader's language."""

from __future__ import annotations

from billing_site.errors import BillingError, _


class WebhookError(BillingError):
    """A delivery attempt did not deliver; the message says why."""


class TransientError(WebhookError):
    """Worth trying again later: refused connection, timeout, 5xx, 408, 425, 429."""


class PermanentError(WebhookError):
    """Trying again would fail the same way: any other 4xx, a redirect."""


DELIVERED = "HTTP {status}"  # the same words in every language
REFUSED = "HTTP {status} {body}"
UNREACHABLE = _("Could not be reached: {reason}")
GAVE_UP = _("Failed after {attempts} attempts: {reason}")
UNEXPECTED = _("Unexpected error: {error!r}")
ENDPOINT_DISABLED = _("The endpoint is disabled: nothing was sent.")
NOT_QUEUED = _("Not queued: the task broker could not be reached; the sweep queues it again.")
# Admin and endpoint validation.
URL_SCHEME = _("Enter an http:// or https:// address.")
UNKNOWN_EVENTS = _("Unknown event type(s): {names}.")
NO_EVENTS = _("Choose at least one event.")
BAD_SECRET = _("A secret is “whsec_” followed by base64 (as generated).")
ENDPOINT_INACTIVE = _("Endpoint “{endpoint}” is disabled: enable it before sending a test event.")
NOTHING_TO_REDELIVER = _("Nothing selected to redeliver.")
