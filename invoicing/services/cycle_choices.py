"""Manual generation by billing cycle: the cycles a manager picks from, and generating the pick.

Every date comes from `schedules.cycles`; this module reads schedules and invoices and
hands generation to `schedule_for_cycle` and `invoice_generate`.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat

from contracts.models import BillingContract
from invoicing.errors import GenerationError
from invoicing.models import AuditEvent, Door, Invoice
from invoicing.services.single import invoice_generate, invoice_live_for
from schedules import cycles
from schedules.models import BillingSchedule
from schedules.services import schedule_for_cycle

# Cycles listed after the current one or the last kept schedule, whichever is later: enough
# to invoice a year ahead on a monthly contract without flooding the list.
FUTURE_CYCLES_LISTED = 12

NOT_A_CYCLE = "Cycle {index} is not a billing cycle of contract {number}."
CYCLE_INVOICED_MEANWHILE = (
    "Cycle {cycle} was invoiced as {number} after this page was shown: nothing was generated. "
    "Review the cycle and confirm again."
)
INVOICE_CHANGED_MEANWHILE = (
    "Invoice {number} shown for cycle {cycle} is no longer that cycle's live invoice: nothing "
    "was generated. Review the cycle and confirm again."
)
POST_INVOICING_LABELS = {
    "auto_send": "Auto-Send",
    "auto_charge": "Auto-Charge",
    "auto_sync": "Auto-Sync",
}


class CycleState(enum.StrEnum):
    PENDING = "pending"
    INVOICED = "invoiced"
    FUTURE = "future"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class CycleChoice:
    """One billing cycle of a contract as the Generate Invoice list shows it."""

    cycle: cycles.Cycle
    state: CycleState
    next_invoice_date: date
    invoice_date: date
    schedule: BillingSchedule | None
    invoice: Invoice | None  # the cycle's live invoice, the one a generation would replace
    starts_after_today: bool

    @property
    def index(self) -> int:
        return self.cycle.index


@dataclass(frozen=True)
class CycleChoices:
    choices: tuple[CycleChoice, ...]
    current: CycleChoice

    def get(self, index: int) -> CycleChoice | None:
        return self.choices[index] if 0 <= index < len(self.choices) else None


def contract_cycle_choices(*, contract: BillingContract, as_of: date) -> CycleChoices:
    """Every cycle of the contract up to some beyond the kept schedules, with its state."""
    schedules = {s.cycle_index: s for s in contract.schedules.all()}
    live = {
        invoice.schedule_id: invoice
        for invoice in Invoice.objects.live_regular().filter(contract=contract)
    }
    current = _current_index(contract, as_of)
    last = max(current, max(schedules, default=0)) + FUTURE_CYCLES_LISTED
    listed = itertools.islice(
        cycles.iter_cycles(contract.start_date, contract.billing_frequency, contract.end_date),
        last + 1,
    )
    choices = tuple(_choice(contract, cycle, schedules, live, as_of) for cycle in listed)
    return CycleChoices(choices=choices, current=choices[min(current, len(choices) - 1)])


def _current_index(contract: BillingContract, as_of: date) -> int:
    """The cycle containing today; the first before the start, the last after the end."""
    if as_of < contract.start_date:
        return 0
    day = min(as_of, contract.end_date) if contract.end_date else as_of
    return cycles.cycle_index_containing(contract.start_date, contract.billing_frequency, day)


def _choice(contract, cycle, schedules, live, as_of) -> CycleChoice:
    schedule = schedules.get(cycle.index)
    invoice = live.get(schedule.pk) if schedule else None
    if schedule is not None and schedule.status == BillingSchedule.Status.CANCELLED:
        state = CycleState.CANCELLED
    elif invoice is not None or (
        schedule is not None and schedule.status == BillingSchedule.Status.INVOICED
    ):
        state = CycleState.INVOICED
    elif cycle.start > as_of:
        state = CycleState.FUTURE
    else:
        state = CycleState.PENDING
    timing = contract.billing_timing
    return CycleChoice(
        cycle=cycle,
        state=state,
        next_invoice_date=cycles.next_invoice_date(cycle, timing),
        invoice_date=cycles.invoice_date(cycle, timing, contract.invoice_offset_days),
        schedule=schedule,
        invoice=invoice,
        starts_after_today=cycle.start > as_of,
    )


def schedule_to_preview(contract: BillingContract, choice: CycleChoice) -> BillingSchedule:
    """The cycle's schedule, or an unsaved one as `schedule_for_cycle` would create it:
    a preview never writes."""
    if choice.schedule is not None:
        return choice.schedule
    return BillingSchedule(
        contract=contract,
        cycle_index=choice.index,
        period_start=choice.cycle.start,
        period_end=choice.cycle.end,
        next_invoice_date=choice.next_invoice_date,
        invoice_date=choice.invoice_date,
    )


@transaction.atomic
def cycle_invoice_generate(
    *,
    contract: BillingContract,
    cycle_index: int,
    as_of: date,
    user,
    replace: bool = False,
    expected_fingerprint: str | None = None,
    expected_invoice_id: int | None = None,
    post_invoicing: Iterable[str] = (),
) -> Invoice:
    """Generate the invoice of the cycle a manager picked, its schedule created if needed.

    `post_invoicing` names the tasks to run for this invoice (auto_send, auto_charge,
    auto_sync); the others do not run, whatever the contract's defaults.
    `expected_invoice_id` is the live invoice the manager saw for the cycle (None: none);
    generation stops if another request invoiced or replaced it since, so a double-click
    creates one invoice. Any refusal rolls back everything, the schedule included.
    """
    try:
        schedule = schedule_for_cycle(contract=contract, cycle_index=cycle_index)
    except ValueError as error:
        raise GenerationError(
            NOT_A_CYCLE.format(index=cycle_index, number=contract.number)
        ) from error
    # Lock first, then compare: a second request waits here until the first has committed.
    schedule = BillingSchedule.objects.select_for_update().get(pk=schedule.pk)
    _refuse_if_invoiced_meanwhile(schedule, expected_invoice_id)
    chosen = set(post_invoicing)
    invoice = invoice_generate(
        schedule=schedule,
        replace=replace,
        user=user,
        door=Door.MANUAL,
        as_of=as_of,
        expected_fingerprint=expected_fingerprint,
        post_tasks={name: name in chosen for name in POST_INVOICING_LABELS},
    )
    requested = ", ".join(label for name, label in POST_INVOICING_LABELS.items() if name in chosen)
    # The manager's choice on record next to the generation, whatever the tasks do later.
    AuditEvent.objects.filter(invoice=invoice, door=Door.MANUAL).update(
        detail=Concat("detail", Value(f"; post-invoicing requested: {requested or 'none'}"))
    )
    return invoice


def _refuse_if_invoiced_meanwhile(
    schedule: BillingSchedule, expected_invoice_id: int | None
) -> None:
    live = invoice_live_for(schedule)
    if (live.pk if live else None) == expected_invoice_id:
        return
    cycle = f"{schedule.period_start:%d %b %Y} – {schedule.period_end:%d %b %Y}"
    if live is not None:
        raise GenerationError(CYCLE_INVOICED_MEANWHILE.format(cycle=cycle, number=live.number))
    shown = Invoice.objects.filter(pk=expected_invoice_id).values_list("number", flat=True).first()
    raise GenerationError(INVOICE_CHANGED_MEANWHILE.format(number=shown or "?", cycle=cycle))
