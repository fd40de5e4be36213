"""Which VAT category a document line falls in, and whether an invoice is reverse-charge.

Pure: no Django. The rule of the EU VAT Directive (2006/112/EC, Article 196): a supply of
services between businesses in two different member states is invoiced without VAT, and the
customer accounts for it. Here that is a line at 0 % on a document whose seller and customer
are in different EU member states and whose customer gave a VAT ID. The PDF prints the
mention for it, the Factur-X XML files those lines under category AE.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from contracts.vat import EU_COUNTRIES, PREFIX_COUNTRY

# UNTDID 5305 codes, as EN 16931 files them.
STANDARD = "S"
ZERO_RATED = "Z"
REVERSE_CHARGE = "AE"
# The exemption reason code EN 16931 asks for on an AE breakdown (BR-AE-10).
REVERSE_CHARGE_EXEMPTION_CODE = "VATEX-EU-AE"


def country_of(country: str, vat_id: str) -> str:
    """The party's country: its own, else read from its VAT ID's prefix (EL is Greece)."""
    if country:
        return country.upper()
    prefix = vat_id[:2].upper()
    return PREFIX_COUNTRY.get(prefix, prefix) if prefix.isalpha() else ""


def is_cross_border_eu_b2b(
    *, seller_country: str, customer_country: str, customer_vat_id: str
) -> bool:
    """Seller and customer in two different EU member states, the customer with a VAT ID."""
    customer = country_of(customer_country, customer_vat_id)
    seller = seller_country.upper()
    return bool(
        customer_vat_id
        and seller in EU_COUNTRIES
        and customer in EU_COUNTRIES
        and seller != customer
    )


def line_category(rate: Decimal, *, cross_border_eu_b2b: bool) -> str:
    """S for a taxed line; at 0 %, AE between EU businesses across a border, else Z."""
    if rate > 0:
        return STANDARD
    return REVERSE_CHARGE if cross_border_eu_b2b else ZERO_RATED


def is_reverse_charge(rates: Iterable[Decimal], *, cross_border_eu_b2b: bool) -> bool:
    """Whether any line of the document is reverse-charged (and the mention is due)."""
    return any(
        line_category(rate, cross_border_eu_b2b=cross_border_eu_b2b) == REVERSE_CHARGE
        for rate in rates
    )
