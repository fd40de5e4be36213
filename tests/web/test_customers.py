"""Customers in the web UI: the list, a customer's page, creating and editing one with its
country, VAT ID and language; every write validated, audited, and refused without the right."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from contracts.models import Customer
from tests.factories import BillingContractFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db
LIST = reverse("customers:list")
CREATE = reverse("customers:create")
VALID = {
    "name": "Alder Logistics SAS",
    "billing_email": "ap@alder.example",
    "address": "1 rue de la Paix\n75002 Paris",
    "country": "FR",
    "vat_id": "fr 403 032 650 45",
    "language": "fr",
}


def test_a_manager_creates_a_customer_with_its_vat_id_compacted_and_the_creation_logged(
    manager_client, manager
):
    response = manager_client.post(CREATE, VALID)

    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("customers:detail", args=[customer.pk])
    assert (customer.country.code, customer.vat_id, customer.language) == (
        "FR",
        "FR40303265045",
        "fr",
    )
    entry = LogEntry.objects.get(object_id=str(customer.pk))
    assert entry.user == manager and entry.is_addition()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vat_id": "FR00000000000"}, "is not a valid EU VAT ID"),
        ({"vat_id": "DE123456788"}, "belongs to another country"),
        ({"country": "CH", "vat_id": "x"}, "does not read as a VAT ID"),
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 201}, "at most 200 characters"),
        ({"billing_email": "not an email"}, "Enter a valid email address."),
        ({"country": "XX"}, "Select a valid choice."),
        ({"language": "tlh"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(manager_client, changes, message):
    response = manager_client.post(CREATE, {**VALID, **changes})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Customer.objects.exists() and not LogEntry.objects.exists()


def test_editing_logs_which_fields_changed(manager_client, manager):
    customer = CustomerFactory(name="Birch Ltd")
    url = reverse("customers:edit", args=[customer.pk])

    manager_client.post(url, {**VALID, "name": "Birch Limited", "country": "DE", "vat_id": ""})

    customer.refresh_from_db()
    assert customer.name == "Birch Limited" and customer.country.code == "DE"
    entry = LogEntry.objects.get(object_id=str(customer.pk))
    assert entry.is_change() and "Legal name" in entry.get_change_message()
    page = manager_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Legal name" in page and "manager" in page


def test_the_page_shows_contracts_invoices_and_the_open_balance_per_currency(manager_client, today):
    customer = CustomerFactory(name="Cedar")
    eur = BillingContractFactory(customer=customer, currency="EUR")
    usd = BillingContractFactory(customer=customer, currency="USD")
    InvoiceFactory(schedule__contract=eur)  # 150.00 unpaid
    InvoiceFactory(schedule__contract=eur, schedule__cycle_index=1, status="void")
    InvoiceFactory(
        schedule__contract=usd, paid_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)
    )
    InvoiceFactory()  # another customer's

    response = manager_client.get(reverse("customers:detail", args=[customer.pk]))

    (balance,) = response.context["open_balances"]
    assert (balance.currency, balance.invoices, balance.unpaid) == ("EUR", 1, 150)
    assert {c.pk for c in response.context["contracts"]} == {eur.pk, usd.pk}
    assert len(response.context["invoices"]) == 3
    assert "EUR\u00a0150.00" in response.content.decode()


def test_the_list_searches_and_filters(manager_client):
    CustomerFactory(name="Alder", country="FR", language="fr", vat_id="FR40303265045")
    CustomerFactory(name="Birch", country="DE", language="de")

    by_vat = manager_client.get(LIST, {"q": "FR403"})
    by_country = manager_client.get(LIST, {"country": "DE"})
    bad = manager_client.get(LIST, {"country": "XX", "language": "tlh"})

    assert [c.name for c in by_vat.context["page"]] == ["Alder"]
    assert [c.name for c in by_country.context["page"]] == ["Birch"]
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


def test_viewers_read_and_may_not_write(viewer_client):
    customer = CustomerFactory()

    assert viewer_client.get(LIST).status_code == 200
    assert viewer_client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    assert viewer_client.post(CREATE, VALID).status_code == 403
    edit = viewer_client.post(reverse("customers:edit", args=[customer.pk]), VALID)
    assert edit.status_code == 403
    assert Customer.objects.count() == 1 and not LogEntry.objects.exists()


def test_an_unknown_customer_is_a_404(manager_client):
    assert manager_client.get(reverse("customers:detail", args=[999999])).status_code == 404
    assert manager_client.post(reverse("customers:edit", args=[999999]), VALID).status_code == 404
