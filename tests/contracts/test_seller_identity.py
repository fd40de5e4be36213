"""The seller's identity in the billing settings: checked with clear messages, edited in
admin, and the bank details once read from BILLING_BANK_DETAILS carried over into it."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from contracts import errors
from contracts.models import BillingSettings

pytestmark = pytest.mark.django_db

migration = importlib.import_module("contracts.migrations.0011_seller_identity")


def _problems(**fields) -> dict:
    row = BillingSettings.load()
    for name, value in fields.items():
        setattr(row, name, value)
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    return {field: messages[0] for field, messages in refused.value.message_dict.items()}


def test_a_well_formed_identity_is_kept_compacted():
    row = BillingSettings.load()
    row.seller_country = "FR"
    row.seller_vat_id = "fr 40 303 265 045"
    row.seller_iban = "fr14 2004 1010 0505 0001 3m02 606"
    row.seller_bic = "bnpa frpp xxx"

    row.full_clean()

    assert (row.seller_vat_id, row.seller_iban, row.seller_bic) == (
        "FR40303265045",
        "FR1420041010050500013M02606",
        "BNPAFRPPXXX",
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"seller_iban": "FR1420041010050500013M02607"},
            "seller_iban",
            errors.IBAN_INVALID.format(iban="FR1420041010050500013M02607"),
        ),
        ({"seller_bic": "BNPA"}, "seller_bic", errors.BIC_INVALID.format(bic="BNPA")),
        (
            {"seller_country": "FR", "seller_vat_id": "FR40303265046"},
            "seller_vat_id",
            errors.VAT_ID_INVALID.format(vat_id="FR40303265046"),
        ),
        (
            {"seller_country": "DE", "seller_vat_id": "FR40303265045"},
            "seller_vat_id",
            errors.VAT_ID_OTHER_COUNTRY.format(vat_id="FR40303265045", country="DE"),
        ),
        (
            {"seller_address": "1\n2\n3\n4"},
            "seller_address",
            errors.SELLER_ADDRESS_TOO_LONG.format(lines=3),
        ),
    ],
)
def test_a_malformed_identity_is_refused_with_a_message(fields, field, message):
    assert _problems(**fields) == {field: message}


def test_admin_refuses_a_bad_iban_and_changes_nothing():
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(user)
    row = BillingSettings.load()
    data = {
        "schedules_ahead": 3,
        "default_offset_days": 1,
        "invoice_number_prefix": "INV-",
        "credit_note_number_prefix": "CN-",
        "default_payment_terms_days": 30,
        "seller_name": "Lumière Logiciels SAS",
        "seller_country": "FR",
        "seller_iban": "FR00 1234",
    }

    response = client.post(reverse("admin:contracts_billingsettings_change", args=[row.pk]), data)

    assert response.status_code == 200
    assert "FR001234 is not a valid IBAN" in response.content.decode()
    assert BillingSettings.load().seller_iban == ""


@pytest.mark.parametrize(
    ("text", "iban", "bic", "rest"),
    [
        (
            "IBAN DE89 3704 0044 0532 0130 00\\nBIC: COBADEFFXXX\\nCommerzbank Hamburg",
            "DE89370400440532013000",
            "COBADEFFXXX",
            "Commerzbank Hamburg",
        ),
        ("Commerzbank IBAN DE00 1234", "", "", "Commerzbank, IBAN DE00 1234"),
        ("Pay to account 12345", "", "", "Pay to account 12345"),
    ],
)
def test_the_old_bank_details_text_is_read_into_iban_bic_and_bank(text, iban, bic, rest):
    assert migration.bank_details_parsed(text) == (iban, bic, rest)


def test_the_migration_carries_the_environment_value_into_the_settings(monkeypatch):
    monkeypatch.setenv("BILLING_BANK_DETAILS", "Commerzbank\nIBAN DE89370400440532013000")

    migration.bank_details_from_environment(apps, None)

    row = BillingSettings.load()
    assert (row.seller_iban, row.seller_bic, row.seller_bank_name) == (
        "DE89370400440532013000",
        "",
        "Commerzbank",
    )
