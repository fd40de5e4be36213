"""The customers resource: the same filters, rules and audit trail as the customer pages."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry

from contracts.models import Customer
from tests.factories import BillingContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/"


def test_a_customer_is_created_with_its_audit_entry(manager_api, manager):
    response = manager_api.post(
        URL,
        {"name": "Acme SAS", "country": "FR", "vat_id": "FR40303265045", "language": "fr"},
    )

    assert response.status_code == 201, response.json()
    customer = Customer.objects.get(pk=response.json()["id"])
    assert (customer.name, customer.country.code, customer.language) == ("Acme SAS", "FR", "fr")
    assert (
        LogEntry.objects.get(content_type__model="customer", object_id=str(customer.pk)).action_flag
        == ADDITION
    )
    assert (
        LogEntry.objects.get(content_type__model="customer", object_id=str(customer.pk)).user
        == manager
    )


def test_a_malformed_vat_id_is_a_problem_document_with_the_pages_message(manager_api):
    response = manager_api.post(URL, {"name": "Acme SAS", "country": "FR", "vat_id": "FR123"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and "vat_id" in problem["errors"]
    assert not Customer.objects.exists()


def test_an_unknown_field_is_refused_and_nothing_is_written(manager_api):
    response = manager_api.post(URL, {"name": "Acme", "colour": "blue"})

    assert response.status_code == 400
    assert "colour" in response.json()["errors"]
    assert not Customer.objects.exists()


def test_a_viewers_key_reads_but_never_writes(viewer_api):
    customer = CustomerFactory(name="Before")

    assert viewer_api.get(f"{URL}{customer.pk}/").json()["name"] == "Before"
    refused = viewer_api.patch(f"{URL}{customer.pk}/", {"name": "After"})

    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    customer.refresh_from_db()
    assert customer.name == "Before"


def test_an_update_is_audited_with_the_changed_field(manager_api):
    customer = CustomerFactory(name="Before")

    response = manager_api.patch(f"{URL}{customer.pk}/", {"name": "After"})

    assert response.status_code == 200
    assert response.json()["name"] == "After"
    entry = LogEntry.objects.get(
        content_type__model="customer", object_id=str(customer.pk), action_flag=CHANGE
    )
    assert "legal name" in entry.get_change_message()


def test_the_list_filters_as_the_customer_list_does(manager_api):
    CustomerFactory(name="Alpha", country="FR")
    CustomerFactory(name="Beta", country="DE")
    BillingContractFactory(customer=Customer.objects.get(name="Alpha"))

    rows = manager_api.get(URL, {"country": "FR"}).json()["results"]

    assert [(row["name"], row["contract_count"]) for row in rows] == [("Alpha", 1)]


@pytest.mark.parametrize(
    "query",
    [
        {"country": "XX"},
        {"colour": "blue"},
        {"language": "es"},
        {"page_size": "x"},
        {"page_size": "0"},
        {"cursor": "!!not-base64"},
    ],
)
def test_a_bad_query_string_is_a_400_not_a_wider_list(manager_api, query):
    CustomerFactory()

    response = manager_api.get(URL, query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_no_key_is_a_401_and_a_revoked_key_too(anonymous_api, manager):
    from accounts.services import api_key_create, api_key_revoke
    from tests.api.conftest import ApiClient

    assert anonymous_api.get(URL).status_code == 401
    api_key, key = api_key_create(user=manager, name="old")
    api_key_revoke(api_key=api_key, revoked_by=manager)

    response = ApiClient(key).get(URL)

    assert response.status_code == 401
    assert response.json()["detail"] == "This API key was revoked."


def test_an_unknown_address_under_the_api_is_a_problem_document(manager_api):
    response = manager_api.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_schema_and_the_docs_are_served(manager_api, manager_client):
    schema = manager_api.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert schema.status_code == 200
    assert "/api/v1/customers/" in schema.json()["paths"]
    assert manager_client.get("/api/docs/").status_code == 200
