"""Ending a contract through the API: the plan End contract… previews, and its serializers."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers import StrictSerializer
from api.v1.drafts import CreditNoteDraftSerializer, DraftSerializer, credit_note_data, draft_data
from api.v1.fields import BillingDateField, Figure, money
from invoicing.services.ending import EndPlan


class ContractEndSerializer(StrictSerializer):
    end_date = BillingDateField(allow_null=True, help_text="The new end date; null: no end date.")
    preview = serializers.BooleanField(
        default=False, help_text="Only say what ending would write; write nothing."
    )
    fingerprint = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="The previewed plan's fingerprint: ending needs it, as the page's confirmation "
        "does, and is refused (409) if the plan changed since.",
    )


class ScheduleMoveSerializer(serializers.Serializer):
    schedule_id = serializers.IntegerField()
    cycle_index = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    new_end = serializers.DateField(allow_null=True)


class VoidedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class EndPlanSerializer(serializers.Serializer):
    end_before = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    currency = serializers.CharField()
    fingerprint = serializers.CharField()
    credit_notes = CreditNoteDraftSerializer(many=True)
    credited_total = Figure()
    billed_again = DraftSerializer(many=True)
    billed_again_total = Figure()
    voided = VoidedSerializer(many=True)
    cut = ScheduleMoveSerializer(many=True)
    cancelled = ScheduleMoveSerializer(many=True)
    reopened = ScheduleMoveSerializer(many=True)


def end_plan_data(plan: EndPlan, currency: str) -> dict:
    moves = {
        name: [
            {
                "schedule_id": move.schedule_id,
                "cycle_index": move.cycle_index,
                "period_start": move.period_start,
                "period_end": move.period_end,
                "new_end": move.new_end,
            }
            for move in getattr(plan, name)
        ]
        for name in ("cut", "cancelled", "reopened")
    }
    return {
        "end_before": plan.end_before,
        "end_date": plan.end_date,
        "currency": currency,
        "fingerprint": plan.fingerprint(),
        "credit_notes": [
            credit_note_data(note, number=number, currency=currency)
            for number, note in plan.credit_rows
        ],
        "credited_total": money(plan.credited_total, currency),
        "billed_again": [draft_data(draft) for draft in plan.billed_again],
        "billed_again_total": money(plan.billed_again_total, currency),
        "voided": [{"id": invoice.id, "number": invoice.number} for invoice in plan.voided],
        **moves,
    }


class ContractEndedSerializer(serializers.Serializer):
    """The answer to an end: what was written, and the contract as it now stands."""

    plan = EndPlanSerializer()
    contract_id = serializers.IntegerField()
    end_date = serializers.DateField(allow_null=True)
    status = serializers.CharField()
