"""The customer service refuses what the form refuses: a VAT ID malformed for the country is
a clear message and nothing written, whichever door calls it."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError

from contracts.models import Customer
from contracts.services import customer_save

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("country", "vat_id", "message"),
    [
        ("FR", "FR00000000000", "is not a valid EU VAT ID"),
        ("FR", "DE123456788", "belongs to another country"),
        ("CH", "x", "does not read as a VAT ID"),
    ],
)
def test_a_malformed_vat_id_is_refused_by_the_service_and_nothing_is_written(
    manager, country, vat_id, message
):
    customer = Customer(name="Rowan", country=country, vat_id=vat_id, language="en")

    with pytest.raises(ValidationError) as refusal:
        customer_save(customer=customer, user=manager)

    assert message in str(refusal.value.message_dict["vat_id"])
    assert not Customer.objects.exists() and not LogEntry.objects.exists()
