"""The cycles, previews and generations of the API, as bodies: serializers and the
functions that fill them from the selectors' and services' results."""

from __future__ import annotations

from datetime import date
from typing import Any

from rest_framework import serializers

from api.serializers import StrictSerializer
from api.v1.drafts import DraftSerializer
from api.v1.fields import Figure, money
from contracts.models import POST_TASKS, BillingContract
from invoicing.models import Invoice
from invoicing.selectors.cycles import CycleChoice, CycleState


class CycleSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    state = serializers.ChoiceField(choices=[state.value for state in CycleState])
    due = serializers.BooleanField(
        help_text="Pending and its Invoice Date has come: the nightly run generates it."
    )
    current = serializers.BooleanField(help_text="The cycle containing today.")
    next_invoice_date = serializers.DateField()
    invoice_date = serializers.DateField()
    schedule_id = serializers.IntegerField(allow_null=True)
    invoice_id = serializers.IntegerField(allow_null=True, help_text="Its live invoice.")
    invoice_number = serializers.CharField(allow_null=True)


def cycle_data(choice: CycleChoice, current: CycleChoice, as_of: date) -> dict[str, Any]:
    invoice = choice.invoice
    return {
        "index": choice.index,
        "period_start": choice.cycle.start,
        "period_end": choice.cycle.end,
        "state": choice.state.value,
        "due": choice.state == CycleState.PENDING and choice.invoice_date <= as_of,
        "current": choice.index == current.index,
        "next_invoice_date": choice.next_invoice_date,
        "invoice_date": choice.invoice_date,
        "schedule_id": choice.schedule.pk if choice.schedule else None,
        "invoice_id": invoice.pk if invoice else None,
        "invoice_number": invoice.number if invoice else None,
    }


class PreviewSerializer(serializers.Serializer):
    cycle = CycleSerializer()
    draft = DraftSerializer(allow_null=True)
    fingerprint = serializers.CharField(
        allow_null=True, help_text="The draft's: give it to generate to get exactly this."
    )
    refusal = serializers.CharField(
        allow_null=True, help_text="Why generating this cycle would be refused, or null."
    )
    needs_replace = serializers.BooleanField(help_text="The cycle has a live invoice.")
    needs_proceed = serializers.BooleanField(help_text="The cycle starts after today.")
    ahead_of_schedule = serializers.BooleanField(
        help_text="Its Invoice Date is still to come: generating now dates it today."
    )
    due_before_period = serializers.BooleanField()


class GenerateSerializer(StrictSerializer):
    """Generate Invoice's confirmation (invoicing.forms.GenerateInvoiceForm)."""

    replace = serializers.BooleanField(default=False)
    proceed = serializers.BooleanField(
        default=False, help_text="Needed for a cycle that starts after today."
    )
    fingerprint = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="The preview's: generation stops (409) if the invoice would differ.",
    )
    existing_invoice = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        help_text="The live invoice you saw for the cycle (null: none): generation stops if "
        "that changed since. Absent: the cycle's live invoice now.",
    )
    auto_send = serializers.BooleanField(required=False, help_text="Default: the contract's.")
    auto_charge = serializers.BooleanField(required=False, help_text="Default: the contract's.")
    auto_sync = serializers.BooleanField(required=False, help_text="Default: the contract's.")


def form_data(contract: BillingContract, choice: CycleChoice, data: dict) -> dict[str, Any]:
    """The Generate Invoice form's data for this request: the post-invoicing tasks default
    to the contract's, as the page's boxes are ticked."""
    existing = data.get("existing_invoice", choice.invoice.pk if choice.invoice else None)
    form = {
        "cycle": str(choice.index),
        "replace": data["replace"],
        "proceed": data["proceed"],
        "fingerprint": data.get("fingerprint", ""),
        "existing_invoice": "" if existing is None else str(existing),
    }
    for name in POST_TASKS:
        form[name] = data.get(name, getattr(contract, name))
    return form


class GeneratedSerializer(serializers.Serializer):
    invoice_id = serializers.IntegerField()
    number = serializers.CharField()
    contract_id = serializers.IntegerField()
    cycle_index = serializers.IntegerField()
    status = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    invoice_date = serializers.DateField()
    due_date = serializers.DateField()
    currency = serializers.CharField()
    subtotal = Figure()
    tax_total = Figure()
    total = Figure()
    replaces_id = serializers.IntegerField(allow_null=True)
    post_tasks_queued = serializers.BooleanField(
        help_text="False: the queue was unreachable; the tasks are saved and run once it answers."
    )


def generated_data(invoice: Invoice, cycle_index: int, not_queued: bool) -> dict[str, Any]:
    currency = invoice.currency
    return {
        "invoice_id": invoice.pk,
        "number": invoice.number,
        "contract_id": invoice.contract_id,
        "cycle_index": cycle_index,
        "status": invoice.status,
        "period_start": invoice.period_start,
        "period_end": invoice.period_end,
        "invoice_date": invoice.invoice_date,
        "due_date": invoice.due_date,
        "currency": currency,
        "subtotal": money(invoice.subtotal, currency),
        "tax_total": money(invoice.tax_total, currency),
        "total": money(invoice.total, currency),
        "replaces_id": invoice.replaces_id,
        "post_tasks_queued": not not_queued,
    }
