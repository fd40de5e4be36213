"""The event types an endpoint can subscribe to: names and labels only (pure).

The names are a contract with every receiver: never rename one, add a new one instead.
"""

from __future__ import annotations

from billing_site.errors import Message, _

INVOICE_ISSUED = "invoice.issued"
INVOICE_REPLACED = "invoice.replaced"
INVOICE_VOIDED = "invoice.voided"
INVOICE_PAID = "invoice.paid"
CREDIT_NOTE_ISSUED = "credit_note.issued"
RUN_FINISHED = "run.finished"
POST_INVOICING_TASK_FAILED = "post_invoicing_task.failed"
# Sent to one endpoint by "Send test event", whatever it subscribes to; never subscribable.
TEST = "webhook.test"

# Labels are Messages (pure): shown in the reader's language, stored nowhere.
EVENT_TYPES: tuple[tuple[str, Message], ...] = (
    (INVOICE_ISSUED, _("Invoice issued")),
    (INVOICE_REPLACED, _("Invoice replaced")),
    (INVOICE_VOIDED, _("Invoice voided")),
    (INVOICE_PAID, _("Invoice paid")),
    (CREDIT_NOTE_ISSUED, _("Credit note issued")),
    (RUN_FINISHED, _("Generation run finished")),
    (POST_INVOICING_TASK_FAILED, _("Post-invoicing task failed")),
)
SUBSCRIBABLE = frozenset(name for name, label in EVENT_TYPES)
# What the accounting sync sent before it became an endpoint: its seeded subscription.
ACCOUNTING_EVENTS = (INVOICE_ISSUED, INVOICE_REPLACED, INVOICE_VOIDED, CREDIT_NOTE_ISSUED)
