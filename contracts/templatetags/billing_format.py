"""Money, quantities, rates and periods as the billing pages show them, in the active locale.

Money goes through `invoicing.money_format`, the one formatter of every amount shown.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import date_format, number_format

from billing_site.locales import active_locale
from invoicing.money_format import format_money, format_money_change, format_price, minus_sign

register = template.Library()

NO_VALUE = "—"
NBSP = "\u00a0"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _grouped(value: Decimal, places: int) -> str:
    # The locale's minus sign, as on amounts: one sign for every negative figure.
    sign = minus_sign(active_locale()) if value < 0 else ""
    return sign + number_format(abs(value), decimal_pos=places, force_grouping=True)


@register.filter
def money(amount, currency: str) -> str:
    """`amount` in `currency` at its minor unit, in the reader's locale: "EUR 1,234.50"."""
    value = _decimal(amount)
    if value is None or not currency:
        return NO_VALUE
    return format_money(value, currency, active_locale())


@register.filter
def money_change(amount, currency: str) -> str:
    """A difference of money with its sign always shown: "+EUR 12.00", "-EUR 3.50"."""
    value = _decimal(amount)
    if value is None or not currency:
        return NO_VALUE
    return format_money_change(value, currency, active_locale())


@register.filter
def quantity(value) -> str:
    """A quantity without trailing zeros: 10.0000 shows as "10", 2.5000 as "2.5"."""
    number = _decimal(value)
    if number is None:
        return NO_VALUE
    places = max(0, -number.normalize().as_tuple().exponent)
    return _grouped(number, places)


@register.filter
def percent(value) -> str:
    """A rate stored in percent (tax): 20.00 shows as "20 %"."""
    number = _decimal(value)
    return NO_VALUE if number is None else f"{quantity(number)}{NBSP}%"


@register.filter
def share(value) -> str:
    """A proration share (0 to 1) as a percentage of the cycle: 0.5 shows as "50 %"."""
    number = _decimal(value)
    if number is None:
        return NO_VALUE
    return percent((number * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@register.filter
def period(start: date | None, end: date | None) -> str:
    """A date range in the locale's date format: "1 Jan 2026 – 31 Jan 2026"."""
    if start is None or end is None:
        return NO_VALUE
    return f"{date_format(start)} – {date_format(end)}"


@register.filter
def price(amount, currency: str) -> str:
    """A unit price: at least the currency's minor unit, more decimals when the price has
    them (0.0425 per API request must not read as 0.04)."""
    value = _decimal(amount)
    if value is None or not currency:
        return NO_VALUE
    return format_price(value, currency, active_locale())


@register.filter
def signed_days(days) -> str:
    """An offset in days with its sign: "+1 day", "-3 days", "0 days"."""
    if days is None or days == "":
        return NO_VALUE
    days = int(days)
    sign = "+" if days > 0 else minus_sign(active_locale()) if days < 0 else ""
    return f"{sign}{abs(days)} day{'' if abs(days) == 1 else 's'}"
