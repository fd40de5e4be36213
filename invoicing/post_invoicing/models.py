"""What happens to an invoice after it is issued: its post-invoicing tasks, the emails
sent, and the payments asked of a gateway.

Part of the invoicing app (invoicing/models.py re-exports these models).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from invoicing.money_format import format_money, locale_code


class PostInvoicingTask(models.Model):
    """One Auto-Send, Auto-Charge or Auto-Sync of one invoice, and how it went.

    Unique per (invoice, kind): a task delivered twice, retried or asked for again runs
    on the same row, which is what makes it idempotent.
    """

    class Kind(models.TextChoices):
        SEND = "send", _("Auto-Send")
        CHARGE = "charge", _("Auto-Charge")
        SYNC = "sync", _("Auto-Sync")
        # The ledger must learn when an invoice it holds stops being live.
        SYNC_REPLACED = "sync_replaced", _("Auto-Sync (replaced)")
        SYNC_VOIDED = "sync_voided", _("Auto-Sync (voided)")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("task status", "Pending")
        DONE = "done", pgettext_lazy("task status", "Done")
        FAILED = "failed", pgettext_lazy("task status", "Failed")
        # Nothing to do any more (the invoice was replaced before it was sent, its total
        # is a credit...): not a failure, nobody needs to act.
        SKIPPED = "skipped", pgettext_lazy("task status", "Skipped")

    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.CASCADE, related_name="post_tasks"
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # What happened last, in words: the recipient, the payment, or the reason it failed.
    message = models.TextField(blank=True)
    # Set by the services, not auto_now: task rows are written in bulk (COPY).
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invoice_id", "id"]
        verbose_name = _("post-invoicing task")
        permissions = [
            ("retry_postinvoicingtask", "Can retry post-invoicing tasks and send invoices again"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "kind"], name="one_post_task_per_kind"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "done", "failed", "skipped"]),
                name="post_task_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["send", "charge", "sync", "sync_replaced", "sync_voided"]),
                name="post_task_kind_valid",
            ),
        ]
        indexes = [
            # The stalled-task sweep and the admin's "failed" filter.
            models.Index(fields=["status", "updated_at"], name="post_task_status_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_status_display()}"


class InvoiceEmail(models.Model):
    """An invoice emailed: when, to whom, and under which Message-ID."""

    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="emails"
    )
    task = models.ForeignKey(
        PostInvoicingTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.EmailField()
    subject = models.CharField(max_length=300)
    message_id = models.CharField(max_length=300)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["invoice_id", "-sent_at"]

    def __str__(self) -> str:
        return f"{self.subject} to {self.recipient}"


class Payment(models.Model):
    """A charge of an invoice's total asked of a payment gateway.

    The idempotency key is sent with the charge: asking again with the same key (a retry
    after a timeout) returns the first charge instead of making a second one.
    """

    class Status(models.TextChoices):
        # Asked, outcome not known (the gateway failed or did not answer): the next
        # attempt re-asks with the same key.
        PENDING = "pending", pgettext_lazy("payment status", "Pending")
        PROCESSING = "processing", pgettext_lazy("payment status", "Processing at the gateway")
        AWAITING_TRANSFER = (
            "awaiting_transfer",
            pgettext_lazy("payment status", "Awaiting payment by transfer"),
        )
        SUCCEEDED = "succeeded", pgettext_lazy("payment status", "Succeeded")
        FAILED = "failed", pgettext_lazy("payment status", "Failed")

    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="payments"
    )
    gateway = models.CharField(max_length=20)
    idempotency_key = models.CharField(max_length=100, unique=True)
    amount = models.DecimalField(max_digits=16, decimal_places=4)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    gateway_reference = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["invoice_id", "id"]
        permissions = [("record_transfer", "Can record a bank transfer received")]
        constraints = [
            # Belt and braces under the idempotency key: an invoice is never paid twice.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status="succeeded"),
                name="one_succeeded_payment_per_invoice",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "pending",
                        "processing",
                        "awaiting_transfer",
                        "succeeded",
                        "failed",
                    ]
                ),
                name="payment_status_valid",
            ),
        ]

    def __str__(self) -> str:
        amount = format_money(self.amount, self.currency, locale_code(settings.LANGUAGE_CODE))
        return f"{amount} ({self.get_status_display()})"
