"""Fields the v1 resources share: billing dates, and figures as decimal strings."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.formats import date_format
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing_site.forms import DATE_NOT_SUPPORTED
from invoicing.money_format import money_figure
from schedules.cycles import FIRST_SUPPORTED_DAY, LAST_SUPPORTED_DAY


class BillingDateField(serializers.DateField):
    """An ISO date inside the days the product bills, refused with the pages' message
    otherwise (as billing_site.forms.BillingDateField)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        message = DATE_NOT_SUPPORTED.format(
            first=date_format(FIRST_SUPPORTED_DAY), last=date_format(LAST_SUPPORTED_DAY)
        )
        self.validators += [
            MinValueValidator(FIRST_SUPPORTED_DAY, message=message),
            MaxValueValidator(LAST_SUPPORTED_DAY, message=message),
        ]


@extend_schema_field({"type": "string", "format": "decimal", "example": "1234.50"})
class Figure(serializers.CharField):
    """A decimal figure already written as a string (money in its currency's minor unit)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)


def money(amount: Decimal, currency: str) -> str:
    """An amount as the API writes money: a decimal string in the currency's minor unit."""
    return money_figure(amount, currency)


def decimal_text(value: Decimal) -> str:
    """A quantity or a rate as a plain decimal string, no exponent ("10", "12.5")."""
    return f"{value.normalize():f}"
