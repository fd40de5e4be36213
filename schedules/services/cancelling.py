"""Cancelling a contract that never billed anything: a draft signed by mistake, a deal that
fell through before its first invoice. One that billed is ended instead (End contract…),
which credits what it must."""

from __future__ import annotations

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction

from billing_site.actors import Actor, recorded_actor
from billing_site.errors import BillingError
from contracts import errors
from contracts.models import BillingContract
from schedules.models import BillingSchedule
from schedules.services.terms import contract_save

CANCELLED = "Cancelled (no cycle was invoiced); its Pending schedules cancelled."


@transaction.atomic
def contract_cancel(*, contract: BillingContract, user: Actor) -> BillingContract:
    """A draft or active contract with no invoiced cycle becomes Cancelled, its Pending
    schedules cancelled, on the contract's history. BillingError otherwise, nothing written."""
    contract = BillingContract.objects.select_for_update().get(pk=contract.pk)
    # Its schedules locked too: a generation of one of them either finished before (and is
    # seen here) or waits and then finds its cycle cancelled.
    schedules = list(contract.schedules.order_by("cycle_index").select_for_update())
    if contract.status not in (BillingContract.Status.DRAFT, BillingContract.Status.ACTIVE):
        raise BillingError(
            errors.CANCEL_NOT_OPEN.format(
                number=contract.number, status=contract.get_status_display().lower()
            )
        )
    if any(schedule.status == BillingSchedule.Status.INVOICED for schedule in schedules):
        raise BillingError(errors.CANCEL_INVOICED.format(number=contract.number))
    contract.status = BillingContract.Status.CANCELLED
    contract_save(contract=contract, changed_fields={"status"})
    actor = recorded_actor(user)
    if actor is not None:
        LogEntry.objects.log_actions(
            user_id=actor.pk,
            queryset=[contract],
            action_flag=CHANGE,
            change_message=CANCELLED,
            single_object=True,
        )
    return contract
