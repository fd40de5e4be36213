"""A contract edited as one page does it: its terms and its lines in one transaction, through
the same services as admin's (terms through `contract_save`, quantities through the change
log), on the contract's history. Any refusal rolls the whole edit back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone

from billing_site.actors import Actor, recorded_actor
from billing_site.errors import BillingError
from contracts import errors
from contracts.models import BillingContract, ContractLine
from schedules.models import BillingSchedule
from schedules.services.terms import (
    contract_line_change_quantity,
    contract_lines_changed,
    contract_save,
)


@dataclass
class LineEdit:
    """One line as the page posted it: an existing line (`line` saved) or a new one."""

    line: ContractLine
    changed_fields: set[str] = field(default_factory=set)
    quantity: Decimal | None = None  # the new quantity of an existing line, if it changed
    quantity_effective_from: date | None = None


@transaction.atomic
def contract_edit(
    *,
    contract: BillingContract,
    changed_fields: set[str],
    lines: Sequence[LineEdit],
    user: Actor,
    change_message: list[dict[str, Any]] | None = None,
) -> BillingContract:
    """Save a new or edited contract and its lines. A new line is created; an existing
    line's quantity changes through the change log from its effective date, its other fields
    are saved as they are. BillingError (or ValidationError) leaves nothing written."""
    adding = contract.pk is None
    _refuse_end_date_on_invoiced(contract, changed_fields)
    contract_save(contract=contract, changed_fields=changed_fields)
    for edit in lines:
        line = edit.line
        if line.pk and edit.quantity is not None:
            contract_line_change_quantity(
                line=line,
                quantity=edit.quantity,
                effective_date=edit.quantity_effective_from or timezone.localdate(),
                user=user,
            )
            line.quantity = edit.quantity  # already saved, with its change-log entry
        if line.pk and not edit.changed_fields - {"quantity"}:
            continue
        line.contract = contract
        line.full_clean()
        line.save()
    if lines:
        contract_lines_changed(contract=contract)
    actor = recorded_actor(user)
    if actor is not None:
        LogEntry.objects.log_actions(
            user_id=actor.pk,
            queryset=[contract],
            action_flag=ADDITION if adding else CHANGE,
            change_message=change_message or ([{"added": {}}] if adding else ""),
            single_object=True,
        )
    return contract


def _refuse_end_date_on_invoiced(contract: BillingContract, changed_fields: set[str]) -> None:
    """An invoiced contract's end date credits or bills days: one rule, End contract's."""
    if (
        contract.pk
        and "end_date" in changed_fields
        and contract.schedules.filter(status=BillingSchedule.Status.INVOICED).exists()
    ):
        raise BillingError(errors.END_DATE_THROUGH_END_CONTRACT.format(number=contract.number))
