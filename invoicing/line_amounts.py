"""Line arithmetic: what one invoice line bills and its tax, each rounded once.

Pure: no Django import. Regular and change-log drafting both call it; the share of the
cycle comes from schedules/cycles.py. Warning: issued invoices were computed with these
rules; changing them changes what a replacement of a past cycle bills.
"""

from decimal import Decimal
from fractions import Fraction

from invoicing.money import round_ratio


def line_amount(quantity: Decimal, unit_price: Decimal, share: Fraction, currency: str) -> Decimal:
    """quantity x unit price x share of the cycle, on exact integer ratios, rounded once."""
    quantity_n, quantity_d = quantity.as_integer_ratio()
    price_n, price_d = unit_price.as_integer_ratio()
    return round_ratio(
        quantity_n * price_n * share.numerator,
        quantity_d * price_d * share.denominator,
        currency,
    )


def line_tax(amount: Decimal, tax_rate: Decimal, currency: str) -> Decimal:
    """The tax on a line's (rounded) amount at `tax_rate` percent, rounded once."""
    amount_n, amount_d = amount.as_integer_ratio()
    tax_n, tax_d = tax_rate.as_integer_ratio()
    return round_ratio(amount_n * tax_n, amount_d * tax_d * 100, currency)
