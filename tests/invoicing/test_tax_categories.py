"""The reverse-charge rule, as a table: no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoicing.tax_categories import (
    country_of,
    is_cross_border_eu_b2b,
    is_reverse_charge,
    line_category,
)

ZERO, TWENTY = Decimal("0"), Decimal("20")


@pytest.mark.parametrize(
    ("seller", "customer", "vat_id", "expected"),
    [
        ("FR", "DE", "DE136695976", True),  # two member states, B2B
        ("FR", "FR", "FR40303265045", False),  # same member state
        ("FR", "DE", "", False),  # a consumer: no VAT ID
        ("FR", "US", "US123456", False),  # customer outside the EU
        ("CH", "DE", "DE136695976", False),  # seller outside the EU
        ("", "DE", "DE136695976", False),  # seller's country unknown
        ("FR", "", "DE136695976", True),  # customer's country read from its VAT ID
        ("DE", "", "EL094259216", True),  # Greece files as EL
        ("GR", "", "EL094259216", False),  # ... and is Greece
        ("fr", "de", "DE136695976", True),  # case does not matter
    ],
)
def test_cross_border_eu_b2b(seller, customer, vat_id, expected):
    assert (
        is_cross_border_eu_b2b(
            seller_country=seller, customer_country=customer, customer_vat_id=vat_id
        )
        is expected
    )


@pytest.mark.parametrize(
    ("rate", "cross_border", "category"),
    [
        (ZERO, True, "AE"),
        (ZERO, False, "Z"),
        (TWENTY, True, "S"),  # taxed lines stay taxed, even across a border
        (TWENTY, False, "S"),
        (Decimal("0.01"), True, "S"),
    ],
)
def test_line_category(rate, cross_border, category):
    assert line_category(rate, cross_border_eu_b2b=cross_border) == category


@pytest.mark.parametrize(
    ("rates", "cross_border", "expected"),
    [
        ([TWENTY, ZERO], True, True),  # one 0 % line is enough for the mention
        ([TWENTY], True, False),
        ([ZERO], False, False),
        ([], True, False),
    ],
)
def test_is_reverse_charge(rates, cross_border, expected):
    assert is_reverse_charge(rates, cross_border_eu_b2b=cross_border) is expected


@pytest.mark.parametrize(
    ("country", "vat_id", "expected"),
    [("de", "", "DE"), ("", "EL094259216", "GR"), ("", "", ""), ("", "12345", "")],
)
def test_country_of(country, vat_id, expected):
    assert country_of(country, vat_id) == expected
