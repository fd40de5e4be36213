"""What every API serializer shares: unknown fields refused, money as strings with currency."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api import errors
from invoicing.money_format import money_figure


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of silently ignoring a typo."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [errors.UNKNOWN_FIELDS.format(s="", fields=name)] for name in unknown}
                )
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    pass


@extend_schema_field({"type": "string", "format": "decimal", "example": "1234.50"})
class MoneyField(serializers.Field):
    """An amount as a decimal string in its currency's minor unit ("1234.50", "1235" in JPY),
    the currency read from the object's `currency_source` attribute."""

    def __init__(self, *, currency_source: str = "currency", **kwargs):
        kwargs.setdefault("read_only", True)
        self.currency_source = currency_source
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, instance) -> str:
        value = getattr(instance, self.source_attrs[-1] if self.source_attrs else self.field_name)
        currency = getattr(instance, self.currency_source)
        return money_figure(value, currency)
