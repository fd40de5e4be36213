"""The forecast's drafted cycles, kept in PostgreSQL so the page is one GROUP BY.

Part of the invoicing app (invoicing/models.py re-exports the models). `forecast_refresh`
(invoicing/services/forecast.py) drafts the cycles with the code generation uses and
writes them here; statement triggers (migration 0013) append the id of every contract whose
drafting rows a statement changed to `ForecastStale`, so COPY, `.update()`, admin, raw SQL
and services all mark it, with no hook to forget, and the next refresh drafts only those.

The contract columns are plain indexed ids with no foreign-key constraint: the rows are
derived, a deleted contract is marked stale by the trigger and its rows go at the next
refresh, and a PROTECT would refuse deleting a contract for the sake of a cache.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

# Only ever one book row: its lock is what serialises refreshes.
BOOK_ID = 1


class ForecastCycle(models.Model):
    """One cycle ahead whose draft bills something, as the run that bills it will write it."""

    contract = models.ForeignKey(
        "contracts.BillingContract",
        verbose_name=_("contract"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    due_day = models.DateField(_("due day"))  # the cycle's Invoice Date: the night it falls due
    dated_day = models.DateField(
        _("dated day")
    )  # the date its invoice will carry (posting periods)
    currency = models.CharField(_("currency"), max_length=3)
    subtotal = models.DecimalField(_("subtotal"), max_digits=16, decimal_places=4)
    tax_total = models.DecimalField(_("tax total"), max_digits=16, decimal_places=4)

    class Meta:
        verbose_name = _("forecast cycle")
        verbose_name_plural = _("forecast cycles")
        app_label = "invoicing"
        indexes = [
            # The page's GROUP BY filters on the day due and reads only these columns: an
            # index-only scan where the visibility map allows.
            models.Index(
                fields=["due_day"],
                include=["dated_day", "currency", "subtotal", "tax_total", "contract"],
                name="forecast_cycle_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} due {self.due_day}: {self.subtotal} {self.currency}"


class ForecastUndrafted(models.Model):
    """A contract that cannot be drafted, from the cycle `due_day` on: the page leaves the
    contract out, and names it, when that cycle falls inside its window."""

    contract = models.ForeignKey(
        "contracts.BillingContract",
        verbose_name=_("contract"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    due_day = models.DateField(_("due day"))
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("forecast undrafted")
        verbose_name_plural = _("forecast undrafteds")
        app_label = "invoicing"

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.reason}"


class ForecastStale(models.Model):
    """A contract whose drafted cycles a write may have changed. Append-only, no unique key
    and no foreign key, so writers (generation workers in parallel) never wait on each other;
    the refresh takes them all and de-duplicates."""

    contract_id = models.BigIntegerField(_("contract id"))

    class Meta:
        verbose_name = _("forecast stale")
        verbose_name_plural = _("forecast stales")
        app_label = "invoicing"

    def __str__(self) -> str:
        return str(self.contract_id)


class ForecastBook(models.Model):
    """What the kept cycles cover: one row, locked by each refresh."""

    # The last day due drafted; None: nothing drafted yet (a new install, a truncated table).
    horizon = models.DateField(_("horizon"), null=True, blank=True)
    # The closed months (first days) the kept cycles were dated with.
    closed_months = ArrayField(
        models.DateField(), verbose_name=_("closed months"), default=list, blank=True
    )
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("forecast book")
        verbose_name_plural = _("forecast books")
        app_label = "invoicing"

    def __str__(self) -> str:
        return f"forecast drafted to {self.horizon}"
