"""What the invoices add up to, per (invoice date, due date, currency, status, kind, document,
paid, fully credited): the invoice list's totals read these few rows instead of aggregating a
million invoices.

Part of the invoicing app (invoicing/models.py re-exports the model). PostgreSQL keeps it:
statement triggers on the invoice table (migration 0010) add one row per group a statement
wrote, counted +1 for a new state and -1 for the old one, so COPY, `.update()`, admin and
services all count, exactly, with no hook to forget, and parallel writers append rather
than wait on one another's rows. `invoice_totals_compact` folds the rows back to one per
group (the nightly run queues it); reads sum the rows either way.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InvoiceTotal(models.Model):
    """One group's change in invoices and money (several rows per group until compacted)."""

    invoice_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=10)
    kind = models.CharField(_("kind"), max_length=10)
    document = models.CharField(
        _("document"), max_length=12, default="invoice", db_default="invoice"
    )
    paid = models.BooleanField(_("paid"))
    # Credit notes took back all of these invoices: none of it is owed (never unpaid).
    fully_credited = models.BooleanField(_("fully credited"), default=False, db_default=False)
    invoices = models.BigIntegerField(_("invoices"))
    subtotal = models.DecimalField(_("subtotal"), max_digits=24, decimal_places=4)
    tax_total = models.DecimalField(_("tax total"), max_digits=24, decimal_places=4)
    total = models.DecimalField(_("total"), max_digits=24, decimal_places=4)
    # What credit notes took back of these invoices: total less this is what is open.
    credited_total = models.DecimalField(
        _("credited total"), max_digits=24, decimal_places=4, default=0, db_default=0
    )

    class Meta:
        verbose_name = _("invoice total")
        verbose_name_plural = _("invoice totals")
        app_label = "invoicing"
        indexes = [models.Index(fields=["invoice_date"])]

    def __str__(self) -> str:
        return f"{self.invoice_date} {self.currency} {self.status}: {self.invoices}"
