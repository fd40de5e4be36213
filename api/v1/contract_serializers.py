"""Contracts and their lines as the API reads and writes them (the editor's fields)."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers import StrictModelSerializer, StrictSerializer
from api.v1.fields import BillingDateField
from contracts.models import (
    BILLING_TERMS,
    MAX_LINES_PER_CONTRACT,
    POST_TASKS,
    BillingContract,
    ContractChange,
    ContractLine,
)

LINE_FIELDS = (
    "position",
    "description",
    "quantity",
    "unit_price",
    "tax_rate",
    "start_date",
    "end_date",
)
DATE_FIELDS = {"start_date": BillingDateField, "end_date": BillingDateField}


class ContractLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractLine
        fields = ("id", *LINE_FIELDS)
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = BillingContract
        fields = (
            "id",
            "number",
            "name",
            "customer",
            "customer_name",
            "status",
            *BILLING_TERMS,
            *POST_TASKS,
            "next_invoice_date",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class ContractDetailSerializer(ContractSerializer):
    lines = ContractLineSerializer(many=True, read_only=True, source="lines_shown")

    class Meta(ContractSerializer.Meta):
        fields = (*ContractSerializer.Meta.fields, "lines")
        read_only_fields = fields


class LineWriteSerializer(StrictModelSerializer):
    """A line as the editor posts it: `id` names an existing line of the contract (update
    only); a new `quantity` on it applies from `quantity_effective_from` (today if absent)
    and goes on the change log."""

    id = serializers.IntegerField(required=False, min_value=1)
    start_date = BillingDateField(required=False, allow_null=True)
    end_date = BillingDateField(required=False, allow_null=True)
    quantity_effective_from = BillingDateField(required=False)

    class Meta:
        model = ContractLine
        fields = ("id", *LINE_FIELDS, "quantity_effective_from")


class ContractCreateSerializer(StrictModelSerializer):
    start_date = BillingDateField()
    end_date = BillingDateField(required=False, allow_null=True)
    lines = LineWriteSerializer(many=True, required=False, max_length=MAX_LINES_PER_CONTRACT)

    class Meta:
        model = BillingContract
        fields = ("customer", "number", "name", "status", *BILLING_TERMS, *POST_TASKS, "lines")

    def validate_lines(self, lines):
        if any("id" in line for line in lines):
            raise serializers.ValidationError("A new contract's lines are new: give no line id.")
        return lines


class ContractUpdateSerializer(ContractCreateSerializer):
    """The editor's fields of an existing contract: not its customer, and not its offset
    (changed with its effect shown, on the offset page)."""

    class Meta(ContractCreateSerializer.Meta):
        fields = tuple(
            name
            for name in ContractCreateSerializer.Meta.fields
            if name not in ("customer", "invoice_offset_days")
        )

    def validate_lines(self, lines):
        return lines


class LineQuantitySerializer(StrictSerializer):
    """The contract page's quantity change (contracts.forms.LineQuantityForm)."""

    quantity = serializers.DecimalField(max_digits=12, decimal_places=4)
    effective_date = BillingDateField()


class ContractChangeSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(source="line_id", read_only=True)
    changed_by = serializers.CharField(source="changed_by.username", default=None, read_only=True)

    class Meta:
        model = ContractChange
        fields = ("id", "line", "effective_date", "quantity_before", "quantity_after", "changed_by")
        read_only_fields = fields


class LineQuantityChangedSerializer(serializers.Serializer):
    changed = serializers.BooleanField(help_text="False: the line already had this quantity.")
    change = ContractChangeSerializer(allow_null=True)
    line = ContractLineSerializer()
