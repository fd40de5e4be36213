"""Writes on contracts and their lines. Each keeps schedules and the change log in step,
which is why they live here, above the contracts app: contracts knows nothing of schedules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from billing_site.actors import Actor, recorded_actor
from billing_site.errors import BillingError
from contracts import errors
from contracts.models import BillingContract, ContractChange, ContractLine
from schedules import cycles
from schedules.models import BillingSchedule
from schedules.posting_periods import day_label
from schedules.services.keeping import (
    schedules_cancel_pending,
    schedules_keep_ahead,
    schedules_refresh_pending,
    schedules_reopen_nothing_to_bill,
)

OFFSET_CHANGED = "Invoice generation offset changed from {before:+d} to {after:+d} days; {moved}."
# Fields that define the cycles themselves: frozen once any cycle is invoiced.
CYCLE_FIELDS = {"start_date", "billing_frequency"}
SCHEDULE_FIELDS = {"billing_timing", "invoice_offset_days", "end_date"}


@transaction.atomic
def contract_save(*, contract: BillingContract, changed_fields: set[str] | None = None) -> None:
    """Save a contract's terms and bring its schedules in line with them."""
    changed = set(changed_fields or ())
    if contract.pk and "start_date" in changed:
        _refuse_start_after_changes(contract)
    if contract.pk and changed & CYCLE_FIELDS:
        if contract.schedules.filter(status=BillingSchedule.Status.INVOICED).exists():
            raise BillingError(errors.TERMS_LOCKED)
        # Nothing billed yet: the old cycles never happened.
        contract.schedules.exclude(status=BillingSchedule.Status.INVOICED).delete()
    contract.full_clean()
    contract.save()
    if contract.status in (BillingContract.Status.CANCELLED, BillingContract.Status.ENDED):
        schedules_cancel_pending(contract=contract)
        return
    if changed & (SCHEDULE_FIELDS | CYCLE_FIELDS):
        schedules_refresh_pending(contract=contract)
    if contract.status == BillingContract.Status.ACTIVE:
        schedules_keep_ahead(as_of=timezone.localdate(), contract_ids=[contract.pk])


def _refuse_start_after_changes(contract: BillingContract) -> None:
    """A start after a recorded quantity change would leave the change in no billing cycle:
    change-log billing could never bill it (and would fail the contract's job)."""
    first = (
        ContractChange.objects.filter(line__contract=contract)
        .order_by("effective_date")
        .values_list("effective_date", flat=True)
        .first()
    )
    if first is not None and contract.start_date and first < contract.start_date:
        raise BillingError(
            errors.START_AFTER_CHANGE.format(
                start=day_label(contract.start_date), day=day_label(first)
            )
        )


@transaction.atomic
def contract_line_change_quantity(
    *, line: ContractLine, quantity: Decimal, effective_date: date, user: Actor = None
) -> ContractChange | None:
    """Set a line's quantity from `effective_date` on, writing its change-log entry."""
    if quantity < 0:
        raise BillingError(errors.QUANTITY_NEGATIVE)
    contract = line.contract
    if effective_date < contract.start_date or (
        contract.end_date and effective_date > contract.end_date
    ):
        raise BillingError(
            errors.EFFECTIVE_DATE_OUTSIDE_CONTRACT.format(
                day=effective_date, start=contract.start_date, end=contract.end_date or "open-ended"
            )
        )
    if _cycle_cancelled(contract, effective_date):
        raise BillingError(errors.EFFECTIVE_DATE_IN_CANCELLED_CYCLE.format(day=effective_date))
    line = ContractLine.objects.select_for_update().get(pk=line.pk)
    if line.quantity == quantity:
        return None
    change = ContractChange.objects.create(
        line=line,
        effective_date=effective_date,
        quantity_before=line.quantity,
        quantity_after=quantity,
        changed_by=recorded_actor(user),
    )
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    contract_lines_changed(contract=contract)
    return change


def contract_lines_changed(*, contract: BillingContract) -> None:
    """After a contract's lines were added, removed, re-dated or re-quantified: a cycle set
    aside as Nothing to bill may bill something now, so the next run drafts it again."""
    schedules_reopen_nothing_to_bill(contract=contract)


def _cycle_cancelled(contract: BillingContract, day: date) -> bool:
    index = cycles.cycle_index_containing(contract.start_date, contract.billing_frequency, day)
    return contract.schedules.filter(
        cycle_index=index, status=BillingSchedule.Status.CANCELLED
    ).exists()


@transaction.atomic
def contract_offset_change(*, contract: BillingContract, offset_days: int, user: Actor) -> int:
    """Set the contract's Invoice Generation Offset and re-date its Pending schedules (never
    the invoiced ones, never a period or a Next Invoice Date); on the contract's history.
    Returns how many Pending schedules got another Invoice Date."""
    contract = BillingContract.objects.select_for_update().get(pk=contract.pk)
    before = contract.invoice_offset_days
    dates_before = dict(contract.schedules.active().values_list("id", "invoice_date"))
    contract.invoice_offset_days = offset_days
    contract_save(contract=contract, changed_fields={"invoice_offset_days"})
    dates_after = dict(contract.schedules.active().values_list("id", "invoice_date"))
    moved = sum(dates_after.get(pk) != day for pk, day in dates_before.items())
    actor = recorded_actor(user)
    if actor is not None and before != offset_days:
        LogEntry.objects.log_actions(
            user_id=actor.pk,
            queryset=[contract],
            action_flag=CHANGE,
            change_message=OFFSET_CHANGED.format(
                before=before, after=offset_days, moved=_pending_redated(moved)
            ),
            single_object=True,
        )
    return moved


def _pending_redated(count: int) -> str:
    return ngettext(
        "%(count)d Pending schedule re-dated", "%(count)d Pending schedules re-dated", count
    ) % {"count": count}
