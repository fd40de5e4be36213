"""A contract's billing cycles as the manual door offers them, and the cycle a bulk run targets.

Every date comes from `schedules.cycles`; this module reads schedules and invoices."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from django.utils.translation import pgettext_lazy

from contracts.models import BillingContract
from invoicing import errors
from invoicing.drafting import InvoiceDraft, cycle_label, nothing_to_bill_refusal
from invoicing.errors import GenerationError
from invoicing.models import Invoice
from invoicing.selectors.comparing import InvoiceComparison, invoice_compare_with_draft
from invoicing.selectors.drafts import invoice_preview
from schedules import cycles
from schedules.models import BillingSchedule

# Cycles listed after the current one or the last kept schedule, whichever is later: enough
# to invoice a year ahead on a monthly contract without flooding the list.
FUTURE_CYCLES_LISTED = 12


class CycleState(enum.StrEnum):
    PENDING = "pending"
    INVOICED = "invoiced"
    FUTURE = "future"
    CANCELLED = "cancelled"
    NOTHING_TO_BILL = "nothing_to_bill"

    @property
    def label(self) -> str:
        return str(CYCLE_STATE_LABELS[self])


# As the Generate Invoice list names each state, in the reader's language.
CYCLE_STATE_LABELS = {
    CycleState.PENDING: pgettext_lazy("cycle state", "Pending"),
    CycleState.INVOICED: pgettext_lazy("cycle state", "Invoiced"),
    CycleState.FUTURE: pgettext_lazy("cycle state", "Future"),
    CycleState.CANCELLED: pgettext_lazy("cycle state", "Cancelled"),
    CycleState.NOTHING_TO_BILL: pgettext_lazy("cycle state", "Nothing to bill"),
}


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
    elif schedule is not None and schedule.status == BillingSchedule.Status.NOTHING_TO_BILL:
        state = CycleState.NOTHING_TO_BILL
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


@dataclass(frozen=True)
class CycleReview:
    """The Generate Invoice page for one cycle: what would be generated and what stands in the way."""

    contract: BillingContract
    as_of: date
    choices: CycleChoices
    choice: CycleChoice
    asked_cycle_unknown: bool
    with_preview: bool
    draft: InvoiceDraft | None
    draft_error: str | None
    comparison: InvoiceComparison | None

    @property
    def contract_refusal(self) -> str | None:
        """Why this contract cannot be invoiced at all, in the service's own words."""
        if self.contract.status == BillingContract.Status.ACTIVE:
            return None
        return errors.CONTRACT_NOT_ACTIVE.format(
            number=self.contract.number, status=self.contract.get_status_display().lower()
        )

    @property
    def ahead_of_schedule(self) -> bool:
        """A started cycle whose Invoice Date is still to come: generating now dates it today."""
        return self.choice.state == CycleState.PENDING and self.choice.invoice_date > self.as_of

    @property
    def invoice_is_paid(self) -> bool:
        return self.choice.invoice is not None and self.choice.invoice.is_paid

    @property
    def cycle_refusal(self) -> str | None:
        """Why this cycle cannot be generated whatever is ticked, in the service's own words:
        cancelled, or its invoice is paid and cannot be replaced."""
        if self.choice.state == CycleState.CANCELLED:
            cycle = cycle_label(self.choice.cycle.start, self.choice.cycle.end)
            return errors.CYCLE_CANCELLED.format(cycle=cycle)
        if self.invoice_is_paid:
            assert self.choice.invoice is not None
            return errors.PAID_CANNOT_BE_REPLACED.format(number=self.choice.invoice.number)
        return None

    @property
    def nothing_to_bill(self) -> str | None:
        """Why the cycle gets no invoice, in the service's own words: the preview bills
        nothing or, without a preview, the run set its schedule aside. A preview that bills
        something wins over the schedule's state: a line added since makes it billable."""
        if self.draft is not None and not self.draft.nothing_to_bill:
            return None
        if self.draft is None and self.choice.state != CycleState.NOTHING_TO_BILL:
            return None
        live = self.choice.invoice
        return nothing_to_bill_refusal(
            self.choice.cycle.start, self.choice.cycle.end, live.number if live else None
        )

    @property
    def generate_refusal(self) -> str | None:
        """Why Generate is not offered for this cycle, in the service's words, or None."""
        return (
            self.contract_refusal
            or self.cycle_refusal
            or self.draft_error
            or self.nothing_to_bill
            or None
        )

    @property
    def can_generate(self) -> bool:
        return self.generate_refusal is None

    @property
    def due_before_period(self) -> bool:
        """A cycle generated ahead of its start whose invoice falls due before it starts."""
        return self.draft is not None and self.draft.due_date < self.choice.cycle.start


def cycle_review(
    *, contract: BillingContract, as_of: date, cycle_index: int | None, with_preview: bool
) -> CycleReview:
    """The chosen cycle (the current one unless asked), its preview and, when an invoice
    exists, the difference a replacement would make. Writes nothing."""
    choices = contract_cycle_choices(contract=contract, as_of=as_of)
    asked = choices.get(cycle_index) if cycle_index is not None else None
    choice = asked or choices.current
    draft = draft_error = comparison = None
    if with_preview:
        try:
            draft = invoice_preview(schedule=schedule_to_preview(contract, choice), as_of=as_of)
        except GenerationError as error:
            draft_error = str(error)
    if draft is not None and choice.invoice is not None:
        comparison = invoice_compare_with_draft(invoice=choice.invoice, draft=draft)
    return CycleReview(
        contract=contract,
        as_of=as_of,
        choices=choices,
        choice=choice,
        asked_cycle_unknown=cycle_index is not None and asked is None,
        with_preview=with_preview,
        draft=draft,
        draft_error=draft_error,
        comparison=comparison,
    )


def cycle_targets(
    contract_ids: Collection[int], cycle_date: date, skipped: dict[int, str]
) -> dict[int, int]:
    """Each active contract's cycle index at `cycle_date`; the others into `skipped`."""
    targets = {}
    for contract_id, status, start, end, frequency in BillingContract.objects.filter(
        pk__any=list(contract_ids)
    ).values_list("id", "status", "start_date", "end_date", "billing_frequency"):
        if status != BillingContract.Status.ACTIVE:
            skipped[contract_id] = errors.SKIPPED_NOT_ACTIVE.format(status=status)
        elif cycle_date < start or (end is not None and cycle_date > end):
            skipped[contract_id] = errors.SKIPPED_NO_CYCLE.format(day=cycle_date)
        else:
            targets[contract_id] = cycles.cycle_index_containing(start, frequency, cycle_date)
    return targets
