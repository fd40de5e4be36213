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
        "invoicing.Invoice",
        verbose_name=_("invoice"),
        on_delete=models.CASCADE,
        related_name="post_tasks",
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    # What happened last, in words: the recipient, the payment, or the reason it failed.
    message = models.TextField(_("message"), blank=True)
    # Set by the services, not auto_now: task rows are written in bulk (COPY).
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["invoice_id", "id"]
        verbose_name = _("post-invoicing task")
        verbose_name_plural = _("post-invoicing tasks")
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
        "invoicing.Invoice",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="emails",
    )
    task = models.ForeignKey(
        PostInvoicingTask,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=300)
    message_id = models.CharField(_("message id"), max_length=300)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("invoice email")
        verbose_name_plural = _("invoice emails")
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
        "invoicing.Invoice",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    gateway = models.CharField(_("gateway"), max_length=20)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    gateway_reference = models.CharField(_("gateway reference"), max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
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
