"""How a post-invoicing task can end, and the words shown on the invoice for each.

Messages are constants so tests assert on them and the admin shows them as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from billing_site.errors import BillingError, _

if TYPE_CHECKING:  # errors load before the models
    from invoicing.models import Invoice


class PostInvoicingError(BillingError):
    """A task did not do its work; the message says why, for the person reading the invoice."""


class TransientError(PostInvoicingError):
    """Worth trying again later: a connection refused, a timeout, a 5xx."""


class PermanentError(PostInvoicingError):
    """Trying again would fail the same way until someone fixes something: a 4xx, an
    invalid email address, a declined card."""


class NothingToDo(PostInvoicingError):
    """The task has become pointless (the invoice was replaced first, ...): skipped."""


def invoice_ensure_live(invoice: Invoice) -> None:
    """Refuse, as nothing to do, work on an invoice that is no longer issued."""
    if invoice.status != invoice.Status.ISSUED:
        status = invoice.get_status_display().lower()
        raise NothingToDo(NOT_LIVE.format(number=invoice.number, status=status))


# Auto-Send
NO_BILLING_EMAIL = _("Customer “{customer}” has no billing email: nothing was sent.")
INVALID_BILLING_EMAIL = _(
    "Customer “{customer}” has an invalid billing email “{email}”: nothing was sent."
)
SMTP_REFUSED = _("The mail server refused the email to {email}: {code} {reason}")
SMTP_UNAVAILABLE = _("The mail server could not be reached: {reason}")
SENT = _("Sent to {email}.")
# Auto-Charge
# Amounts come formatted with their currency ("EUR 150.00"), in the site's language.
NOTHING_TO_CHARGE = _("Nothing to charge: the total is {total}.")
ALREADY_PAID = _("Already paid.")
NOTHING_OWED = _("Nothing to charge: credit notes took back all of {number}.")
NOTHING_OWED_TRANSFER = _(
    "Credit notes took back all of {number}: nothing is owed on it, no transfer to record."
)
CHARGED = _("Charged {amount} through {gateway} ({reference}).")
AWAITING_TRANSFER = _("Awaiting payment of {amount} by bank transfer, reference {reference}.")
PROCESSING = _("The payment of {amount} is still processing at {gateway}.")
DECLINED = _("Payment declined: {reason}")
GATEWAY_UNAVAILABLE = _("The payment gateway could not be reached: {reason}")
GATEWAY_REFUSED = _("The payment gateway refused the request: {reason}")
NO_PAYMENT_METHOD = _("Customer “{customer}” has no saved Stripe customer and payment method.")
STRIPE_NOT_CONFIGURED = _("The Stripe gateway is chosen but STRIPE_API_KEY is not set.")
UNKNOWN_GATEWAY = _("Unknown payment gateway “{name}” (BILLING_PAYMENT_GATEWAY).")
# Auto-Sync
# Endpoints are named by their description (else URL), each with what happened there.
SYNC_NOT_CONFIGURED = _(
    "Auto-Sync has nowhere to send {event}: no active webhook endpoint is subscribed to it "
    "(add one in admin, Webhooks › Webhook endpoints)."
)
SYNC_DELIVERED = _("Delivered {event}: {endpoints}.")
SYNC_FAILED = _("{event} failed for good: {endpoints}")
SYNC_NOT_YET = _("{event} not delivered yet: {endpoints}")
SYNC_WAITING_FOR_ISSUE = _(
    "Waiting for the issued event of this invoice to reach accounting first."
)
# Any task
NOT_LIVE = _("Not done: invoice {number} is {status}.")
RETRYING = _("Attempt {attempt} failed, trying again: {reason}")
GAVE_UP = _("Failed after {attempts} attempts: {reason}")
UNEXPECTED = _("Unexpected error: {error!r}")
CANNOT_SEND_AGAIN = _("Invoice {number} is {status}: only issued invoices are sent.")
NO_TASK_TO_RETRY = _("Nothing to retry: only failed or pending tasks are retried.")
TRANSFER_RECORDED = _("Transfer recorded: invoice {number} is paid.")
NOT_AWAITING_TRANSFER = _("Invoice {number} is not awaiting a bank transfer.")
RANGE_BACKWARDS = _("The start date {start} is after the end date {end}.")
