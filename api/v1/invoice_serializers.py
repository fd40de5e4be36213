"""Invoices and credit notes as the API shows them: amounts as decimal strings in the
invoice's currency, dates in ISO 8601, statuses as their codes, links as ids and numbers."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import MoneyField, StrictSerializer
from invoicing.forms import VOID_REASON_MISSING, InvoiceVoidForm
from invoicing.models import Invoice, InvoiceLine
from invoicing.money_format import money_figure

DECIMAL = {"type": "string", "format": "decimal", "example": "10.5"}


class DocumentLinkSerializer(serializers.Serializer):
    """Another invoice or credit note this one is linked to."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)


class CreditNoteLinkSerializer(DocumentLinkSerializer):
    total = MoneyField()
    invoice_date = serializers.DateField(read_only=True)


@extend_schema_field({"type": "string", "format": "decimal", "example": "125.00"})
class LineMoneyField(MoneyField):
    """A line's amount, in its invoice's currency (the invoice the line was read with)."""

    def to_representation(self, instance) -> str:
        return money_figure(getattr(instance, self.field_name), instance.invoice.currency)


@extend_schema_field(DECIMAL)
class PlainDecimalField(serializers.Field):
    """A quantity, price or rate as stored, without trailing zeros: "10", "12.5", "0.5"."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Decimal) -> str:
        normal = value.normalize()
        return f"{normal:f}" if normal == normal.to_integral() else f"{normal:f}".rstrip("0")


class InvoiceLineSerializer(serializers.ModelSerializer):
    quantity = PlainDecimalField()
    unit_price = PlainDecimalField(help_text="In the invoice's currency, as the contract has it.")
    proration = PlainDecimalField(help_text="The share of the period billed, 1 for all of it.")
    tax_rate = PlainDecimalField(help_text="Percent.")
    amount = LineMoneyField()
    tax_amount = LineMoneyField()

    class Meta:
        model = InvoiceLine
        fields = (
            "position",
            "description",
            "quantity",
            "unit_price",
            "period_start",
            "period_end",
            "proration",
            "amount",
            "tax_rate",
            "tax_amount",
        )
        read_only_fields = fields


class InvoiceSummarySerializer(serializers.ModelSerializer):
    """One row of the list: what the invoice list shows (no lines)."""

    contract_number = serializers.CharField(source="contract.number", read_only=True)
    customer = serializers.IntegerField(source="contract.customer_id", read_only=True)
    customer_name = serializers.CharField(source="contract.customer.name", read_only=True)
    subtotal = MoneyField()
    tax_total = MoneyField()
    total = MoneyField()
    credited_total = MoneyField(help_text="What credit notes took back from this invoice.")
    amount_due = serializers.SerializerMethodField(
        help_text="What the customer still owes on it: 0 once paid, void, replaced, credited "
        "in full, and for credit notes."
    )
    credits = DocumentLinkSerializer(
        read_only=True, allow_null=True, help_text="A credit note: the invoice it credits."
    )

    class Meta:
        model = Invoice
        fields = (
            "id",
            "number",
            "document",
            "kind",
            "status",
            "contract",
            "contract_number",
            "customer",
            "customer_name",
            "period_start",
            "period_end",
            "invoice_date",
            "due_date",
            "currency",
            "subtotal",
            "tax_total",
            "total",
            "credited_total",
            "amount_due",
            "paid_at",
            "credits",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "decimal", "example": "150.00"})
    def get_amount_due(self, invoice: Invoice) -> str:
        owed = not invoice.is_credit_note and invoice.is_live and not invoice.is_paid
        return money_figure(invoice.uncredited if owed else Decimal(0), invoice.currency)


class InvoiceActionsSerializer(serializers.Serializer):
    """What the key's owner may do to it now, as the invoice page offers it."""

    void = serializers.BooleanField(read_only=True)
    credit = serializers.BooleanField(read_only=True)
    generate_again = serializers.BooleanField(read_only=True)


class InvoiceDetailSerializer(InvoiceSummarySerializer):
    """One invoice or credit note with its lines and the documents it is chained to; read
    from the invoice page's overview (context["overview"])."""

    lines = serializers.SerializerMethodField()
    replaces = DocumentLinkSerializer(read_only=True, allow_null=True)
    replaced_by = serializers.SerializerMethodField()
    credit_notes = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(InvoiceSummarySerializer.Meta):
        fields = (
            *InvoiceSummarySerializer.Meta.fields,
            "credit_reason",
            "generated_via",
            "lines",
            "replaces",
            "replaced_by",
            "credit_notes",
            "actions",
        )
        read_only_fields = fields

    @extend_schema_field(InvoiceLineSerializer(many=True))
    def get_lines(self, invoice: Invoice) -> list:
        return InvoiceLineSerializer(self.context["overview"].lines, many=True).data

    @extend_schema_field(DocumentLinkSerializer(allow_null=True))
    def get_replaced_by(self, invoice: Invoice) -> dict | None:
        replacement = getattr(invoice, "replaced_by", None)  # the reverse one-to-one, or None
        return None if replacement is None else DocumentLinkSerializer(replacement).data

    @extend_schema_field(CreditNoteLinkSerializer(many=True))
    def get_credit_notes(self, invoice: Invoice) -> list:
        return CreditNoteLinkSerializer(self.context["overview"].credit_notes, many=True).data

    @extend_schema_field(InvoiceActionsSerializer)
    def get_actions(self, invoice: Invoice) -> dict:
        return InvoiceActionsSerializer(self.context["overview"].actions).data


class TextField(serializers.CharField):
    """Text, and only text: DRF's CharField would take 12 or true as "12" or "True"."""

    default_error_messages = {"invalid": "Give text here."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class InvoiceVoidSerializer(StrictSerializer):
    """Void an issued, unpaid invoice: the reason goes on the audit trail and the credit
    note, checked by the invoice page's own form (the same messages)."""

    reason = TextField(
        allow_blank=True,
        trim_whitespace=False,
        max_length=None,
        error_messages={"required": VOID_REASON_MISSING},
        help_text="Why it is voided (at most 200 characters).",
    )

    def validate_reason(self, value: str) -> str:
        form = InvoiceVoidForm({"reason": value})
        if not form.is_valid():
            raise serializers.ValidationError(form.refusal())
        return form.cleaned_data["reason"]
