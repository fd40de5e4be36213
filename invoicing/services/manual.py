"""Manual generation by billing cycle: the cycles a manager picks from, and generating the pick.

Every date comes from `schedules.cycles`; this module reads schedules and invoices and
hands generation to `schedule_for_cycle` and `invoice_generate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat

from billing_site.actors import Actor
from contracts.models import POST_TASKS, BillingContract
from invoicing import errors
from invoicing.drafting import cycle_label
from invoicing.errors import GenerationError
from invoicing.models import AuditEvent, Door, Invoice
from invoicing.selectors.invoices import invoice_live_for
from invoicing.services.generation import invoice_generate, replace_permission_check
from schedules.models import BillingSchedule
from schedules.services import schedule_for_cycle

CYCLE_INVOICED_MEANWHILE = (
    "Cycle {cycle} was invoiced as {number} after this page was shown: nothing was generated. "
    "Review the cycle and confirm again."
)
INVOICE_CHANGED_MEANWHILE = (
    "Invoice {number} shown for cycle {cycle} is no longer that cycle's live invoice: nothing "
    "was generated. Review the cycle and confirm again."
)


@transaction.atomic
def cycle_invoice_generate(
    *,
    contract: BillingContract,
    cycle_index: int,
    as_of: date,
    user: Actor,
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
    replace_permission_check(user=user, replace=replace)
    try:
        schedule = schedule_for_cycle(contract=contract, cycle_index=cycle_index)
    except ValueError as error:
        raise GenerationError(
            errors.NOT_A_CYCLE.format(index=cycle_index, number=contract.number)
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
        post_tasks={name: name in chosen for name in POST_TASKS},
    )
    # The manager's choice on record next to the generation, whatever the tasks do later.
    # In the records' English names (POST_TASKS, plain str), never the page labels: the
    # audit trail reads the same whatever language the manager reads.
    requested = ", ".join(name for field, name in POST_TASKS.items() if field in chosen)
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
    cycle = cycle_label(schedule.period_start, schedule.period_end)
    if live is not None:
        raise GenerationError(CYCLE_INVOICED_MEANWHILE.format(cycle=cycle, number=live.number))
    # No live invoice now and one was shown: it has been replaced or voided since.
    assert expected_invoice_id is not None
    shown = Invoice.objects.filter(pk=expected_invoice_id).values_list("number", flat=True).first()
    raise GenerationError(INVOICE_CHANGED_MEANWHILE.format(number=shown or "?", cycle=cycle))
