"""The two parties of a document, seller and customer, as the PDF prints them and the
Factur-X XML files them: one reading of the billing settings and the customer for both."""

from __future__ import annotations

from dataclasses import dataclass

from django_countries import countries

from contracts.models import BillingSettings, Customer
from invoicing import tax_categories
from invoicing.models import Invoice

# CII carries three address lines; a longer customer address keeps its tail in the third.
ADDRESS_LINES = 3


@dataclass(frozen=True)
class Party:
    name: str
    address_lines: tuple[str, ...]
    postcode: str
    city: str
    country: str  # ISO 3166 alpha-2, "" when unknown
    country_name: str
    vat_id: str
    registration: str = ""
    email: str = ""


@dataclass(frozen=True)
class Parties:
    seller: Party
    customer: Party
    # Seller and customer in two EU member states, the customer with a VAT ID: its 0 % lines
    # are reverse-charged (tax_categories).
    cross_border_eu_b2b: bool


def document_parties(invoice: Invoice) -> Parties:
    """Who sells and who buys on this document, and whether its 0 % lines are reverse-charged."""
    seller = seller_party(BillingSettings.load())
    customer = customer_party(invoice.contract.customer)
    return Parties(
        seller=seller,
        customer=customer,
        cross_border_eu_b2b=tax_categories.is_cross_border_eu_b2b(
            seller_country=seller.country,
            customer_country=customer.country,
            customer_vat_id=customer.vat_id,
        ),
    )


def seller_party(row: BillingSettings) -> Party:
    return Party(
        name=row.seller_name,
        address_lines=_address_lines(row.seller_address),
        postcode=row.seller_postcode,
        city=row.seller_city,
        country=str(row.seller_country or ""),
        country_name=_country_name(str(row.seller_country or "")),
        vat_id=row.seller_vat_id,
        registration=row.seller_registration,
        email=row.seller_email,
    )


def customer_party(customer: Customer) -> Party:
    """The customer's address is free text (postcode and city inside it)."""
    return Party(
        name=customer.name,
        address_lines=_address_lines(customer.address),
        postcode="",
        city="",
        country=tax_categories.country_of(str(customer.country or ""), customer.vat_id),
        country_name=_country_name(str(customer.country or "")),
        vat_id=customer.vat_id,
        email=customer.billing_email,
    )


def _country_name(code: str) -> str:
    """The country's name in the active language (the document's), "" when not given."""
    return str(countries.name(code)) if code else ""


def _address_lines(text: str) -> tuple[str, ...]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    head, tail = lines[: ADDRESS_LINES - 1], lines[ADDRESS_LINES - 1 :]
    return (*head, ", ".join(tail)) if tail else tuple(head)
