"""What a generation or an end date would write, as the API shows it: invoice drafts and
credit-note drafts, with money in the draft's currency."""

from __future__ import annotations

from rest_framework import serializers

from api.v1.fields import Figure, decimal_text, money
from invoicing.drafting import InvoiceDraft
from invoicing.services.crediting import CreditNoteDraft


class DraftLineSerializer(serializers.Serializer):
    description = serializers.CharField()
    quantity = Figure()
    unit_price = Figure()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    proration = Figure(help_text="Share of the line's period billed, six decimals.")
    amount = Figure()
    tax_rate = Figure(help_text="Percent.")
    tax_amount = Figure()


class DraftSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["regular", "change_log"])
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    invoice_date = serializers.DateField()
    due_date = serializers.DateField()
    posting_note = serializers.CharField(
        help_text="Why the invoice is dated so (a closed posting period), or empty."
    )
    currency = serializers.CharField()
    subtotal = Figure()
    tax_total = Figure()
    total = Figure()
    fingerprint = serializers.CharField(
        help_text="Give it back to generate exactly this: a changed contract is refused."
    )
    lines = DraftLineSerializer(many=True)


class CreditNoteDraftSerializer(serializers.Serializer):
    invoice_id = serializers.IntegerField(help_text="The invoice it credits.")
    invoice_number = serializers.CharField()
    reason = serializers.CharField()
    currency = serializers.CharField()
    subtotal = Figure()
    tax_total = Figure()
    total = Figure()
    lines = DraftLineSerializer(many=True)


def draft_data(draft: InvoiceDraft) -> dict:
    currency = draft.currency
    return {
        "kind": draft.kind,
        "period_start": draft.period_start,
        "period_end": draft.period_end,
        "invoice_date": draft.invoice_date,
        "due_date": draft.due_date,
        "posting_note": draft.posting_note,
        "currency": currency,
        "subtotal": money(draft.subtotal, currency),
        "tax_total": money(draft.tax_total, currency),
        "total": money(draft.total, currency),
        "fingerprint": draft.fingerprint(),
        "lines": [
            {
                "description": line.description,
                "quantity": decimal_text(line.quantity),
                "unit_price": decimal_text(line.unit_price),
                "period_start": line.period_start,
                "period_end": line.period_end,
                "proration": f"{line.proration_decimal:f}",
                "amount": money(line.amount, currency),
                "tax_rate": decimal_text(line.tax_rate),
                "tax_amount": money(line.tax_amount, currency),
            }
            for line in draft.lines
        ],
    }


def credit_note_data(note: CreditNoteDraft, *, number: str, currency: str) -> dict:
    return {
        "invoice_id": note.invoice_id,
        "invoice_number": number,
        "reason": note.reason,
        "currency": currency,
        "subtotal": money(note.subtotal, currency),
        "tax_total": money(note.tax_total, currency),
        "total": money(note.total, currency),
        "lines": [
            {
                "description": line.description,
                "quantity": decimal_text(line.quantity),
                "unit_price": decimal_text(line.unit_price),
                "period_start": line.period_start,
                "period_end": line.period_end,
                "proration": f"{line.proration:f}",
                "amount": money(line.amount, currency),
                "tax_rate": decimal_text(line.tax_rate),
                "tax_amount": money(line.tax_amount, currency),
            }
            for line in note.lines
        ],
    }
