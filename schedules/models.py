"""Billing schedules: one per (contract, cycle), saying when that cycle's invoice is due."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ScheduleQuerySet(models.QuerySet):
    def active(self):
        """Shown as *Active*: not invoiced yet."""
        return self.filter(status=BillingSchedule.Status.PENDING)

    def inactive(self):
        """Shown as *Inactive*: invoiced, cancelled, or with nothing to bill."""
        return self.exclude(status=BillingSchedule.Status.PENDING)

    def due(self, as_of):
        """Pending schedules of active contracts whose Invoice Date has come."""
        return self.active().filter(invoice_date__lte=as_of, contract__status="active")


class BillingSchedule(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("schedule status", "Pending")
        INVOICED = "invoiced", pgettext_lazy("schedule status", "Invoiced")
        CANCELLED = "cancelled", pgettext_lazy("schedule status", "Cancelled")
        # Every contract line had ended before the cycle or starts after it: no invoice.
        NOTHING_TO_BILL = "nothing_to_bill", pgettext_lazy("schedule status", "Nothing to bill")

    contract = models.ForeignKey(
        "contracts.BillingContract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="schedules",
    )
    cycle_index = models.PositiveIntegerField(_("cycle index"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    next_invoice_date = models.DateField(_("next invoice date"))
    invoice_date = models.DateField(_("invoice date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    resulting_invoice = models.ForeignKey(
        "invoicing.Invoice",
        verbose_name=_("resulting invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("billing schedule")
        verbose_name_plural = _("billing schedules")
        ordering = ["contract_id", "cycle_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "cycle_index"], name="one_schedule_per_contract_cycle"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="schedule_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "invoiced", "cancelled", "nothing_to_bill"]),
                name="schedule_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="invoiced") | Q(resulting_invoice__isnull=False),
                name="invoiced_schedule_has_resulting_invoice",
            ),
            # A cycle with nothing to bill got no invoice: it must not point at one.
            models.CheckConstraint(
                condition=~Q(status="nothing_to_bill") | Q(resulting_invoice__isnull=True),
                name="nothing_to_bill_schedule_has_no_invoice",
            ),
        ]
        indexes = [
            # The first Pending cycle of each contract: its Next Invoice Date.
            models.Index(
                fields=["contract", "cycle_index"],
                condition=Q(status="pending"),
                name="pending_by_contract_cycle",
            ),
            models.Index(
                fields=["invoice_date"],
                condition=Q(status="pending"),
                name="pending_by_invoice_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} cycle {self.cycle_index} ({self.period_start}–{self.period_end})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def state_label(self) -> str:
        return f"{'Active' if self.is_active else 'Inactive'} / {self.get_status_display()}"


class PostingPeriodQuerySet(models.QuerySet):
    def closed(self):
        """Months finance has closed: no document is dated inside them."""
        return self.filter(closed_at__isnull=False)

    def closed_months(self, since: date | None = None) -> frozenset[date]:
        """The first days of the closed months (from `since`'s month on), in one query."""
        closed = self.closed()
        if since is not None:
            closed = closed.filter(month__gte=since.replace(day=1))
        return frozenset(closed.values_list("month", flat=True))


class PostingPeriod(models.Model):
    """A calendar month, named by its first day. Closed while `closed_at` is set; every
    close and reopen is kept in its events."""

    month = models.DateField(_("month"), unique=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PostingPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("posting period")
        verbose_name_plural = _("posting periods")
        ordering = ["-month"]
        permissions = [
            ("close_postingperiod", "Can close a posting period"),
            ("reopen_postingperiod", "Can reopen a closed posting period"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="posting_period_is_a_month"),
        ]

    def __str__(self) -> str:
        return date_format(self.month, "F Y")

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class PostingPeriodEvent(models.Model):
    """One close or reopen of a posting period: who, when, through which door. Append-only."""

    class Action(models.TextChoices):
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    period = models.ForeignKey(
        PostingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    door = models.CharField(_("door"), max_length=10)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Pending schedules whose Invoice Date fell in the month when it was closed: their
    # invoices are dated on the first open day.
    pending_schedules = models.PositiveIntegerField(_("pending schedules"), default=0)

    class Meta:
        verbose_name = _("posting period event")
        verbose_name_plural = _("posting period events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.period} {self.get_action_display().lower()}"
