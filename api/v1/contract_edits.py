"""The contract editor's request, read from an API body: which fields change, and each
line as the editor's service takes it (schedules.services.LineEdit)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from contracts.models import BillingContract, ContractLine
from schedules.services import LineEdit

NOT_A_LINE = "Line #{line} is not a line of contract {number}."


def contract_fields_changed(contract: BillingContract, data: dict[str, Any]) -> set[str]:
    """Set the given fields on the contract; the names of those whose value changed."""
    changed = {name for name, value in data.items() if getattr(contract, name) != value}
    for name in changed:
        setattr(contract, name, data[name])
    return changed


def line_edits(contract: BillingContract, lines: list[dict[str, Any]]) -> list[LineEdit]:
    """Each posted line as a LineEdit: `id` names an existing line of this contract (any
    other id is refused, nothing written), no `id` makes a new one."""
    existing = {line.pk: line for line in contract.lines.all()} if contract.pk else {}
    edits = []
    for fields in lines:
        fields = dict(fields)
        effective = fields.pop("quantity_effective_from", None)
        line_id = fields.pop("id", None)
        if line_id is None:
            edits.append(LineEdit(line=ContractLine(**fields), changed_fields=set(fields)))
            continue
        line = existing.get(line_id)
        if line is None:
            message = NOT_A_LINE.format(line=line_id, number=contract.number)
            raise serializers.ValidationError({"lines": [message]})
        changed = {name for name, value in fields.items() if getattr(line, name) != value}
        for name in changed:
            setattr(line, name, fields[name])
        quantity = fields["quantity"] if "quantity" in changed else None
        edits.append(
            LineEdit(
                line=line,
                changed_fields=changed,
                quantity=quantity,
                quantity_effective_from=effective,
            )
        )
    return edits
