"""Invoices and credit notes through the API: the invoice list's filters, one invoice with
its chain, the pages' downloads and void, per role."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoicing.models import AuditEvent, Invoice
from schedules.models import BillingSchedule
from tests.factories import CustomerFactory, InvoiceFactory, InvoiceLineFactory
from tests.invoicing.helpers import billing_state
from tests.post_invoicing.documents import seller_identity_set
from tests.post_invoicing.helpers import contract_invoiced

pytestmark = pytest.mark.django_db
URL = "/api/v1/invoices/"


def test_the_list_shows_money_as_strings_in_the_currency_and_dates_in_iso(manager_api):
    invoice = InvoiceLineFactory(invoice__schedule__contract__currency="JPY").invoice

    row = manager_api.get(URL).json()["results"][0]

    assert row["id"] == invoice.pk and row["number"] == invoice.number
    assert (row["currency"], row["total"], row["amount_due"]) == ("JPY", "150", "150")
    assert row["invoice_date"] == invoice.invoice_date.isoformat()
    assert (row["document"], row["status"], row["kind"]) == ("invoice", "issued", "regular")


def test_the_list_filters_with_the_invoice_lists_filters(manager_api):
    alpha = InvoiceFactory(schedule__contract__customer=CustomerFactory(name="Alpha"))
    InvoiceFactory(schedule__contract__customer=CustomerFactory(name="Beta"))
    void = InvoiceFactory(status=Invoice.Status.VOID)

    named = manager_api.get(URL, {"customer": "alp"}).json()["results"]
    voided = manager_api.get(URL, {"status": "void"}).json()["results"]

    assert [row["id"] for row in named] == [alpha.pk]
    assert [row["id"] for row in voided] == [void.pk]


def test_the_document_filter_and_the_credit_notes_list_keep_to_credit_notes(manager_api):
    invoice = contract_invoiced()
    manager_api.post(f"{URL}{invoice.pk}/void/", {"reason": "Wrong customer"})
    note = Invoice.objects.credit_notes().get()

    by_filter = manager_api.get(URL, {"document": "credit_note"}).json()["results"]
    by_alias = manager_api.get("/api/v1/credit-notes/").json()["results"]

    assert [row["id"] for row in by_filter] == [row["id"] for row in by_alias] == [note.pk]
    assert by_alias[0]["credits"] == {"id": invoice.pk, "number": invoice.number}
    assert manager_api.get("/api/v1/credit-notes/", {"document": "invoice"}).status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        {"status": "paid"},
        {"issued_from": "2026-13-01"},
        {"issued_from": "2026-03-01", "issued_to": "2026-02-01"},
        {"currency": "XXX"},
        {"colour": "blue"},
        {"ordering": "total"},
        {"ordering": "id,number"},
        {"customer_id": "0"},
    ],
)
def test_a_bad_filter_is_a_400_problem_not_a_wider_list(manager_api, query):
    InvoiceFactory()

    response = manager_api.get(URL, query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_cursor_pages_walk_every_invoice_once_in_the_asked_order(manager_api):
    invoices = InvoiceFactory.create_batch(5)

    seen, page = [], manager_api.get(URL, {"page_size": 2, "ordering": "number"}).json()
    while True:
        seen += [row["number"] for row in page["results"]]
        if not page["next"]:
            break
        page = manager_api.get(page["next"]).json()

    assert seen == sorted(invoice.number for invoice in invoices)


def test_a_list_page_costs_the_same_queries_for_5_or_50_invoices(manager_api):
    InvoiceFactory.create_batch(5)
    manager_api.get(URL)  # the key's first use of the minute records it: one more write
    with CaptureQueriesContext(connection) as few:
        manager_api.get(URL)
    InvoiceFactory.create_batch(45)
    with CaptureQueriesContext(connection) as many:
        assert len(manager_api.get(URL).json()["results"]) == 50

    assert len(many) == len(few)
    assert not any("COUNT(" in query["sql"].upper() for query in many.captured_queries)


def test_the_detail_has_lines_totals_and_the_chain(manager_api):
    invoice = contract_invoiced()
    manager_api.post(f"{URL}{invoice.pk}/void/", {"reason": "Wrong customer"})

    detail = manager_api.get(f"{URL}{invoice.pk}/").json()

    assert detail["status"] == "void" and detail["amount_due"] == "0.00"
    assert (detail["subtotal"], detail["tax_total"], detail["total"]) == (
        "125.00",
        "25.00",
        "150.00",
    )
    assert detail["credited_total"] == "150.00"
    line = detail["lines"][0]
    assert (line["quantity"], line["unit_price"], line["amount"], line["tax_rate"]) == (
        "10",
        "12.5",
        "125.00",
        "20",
    )
    note = Invoice.objects.credit_notes().get()
    assert [(n["id"], n["total"]) for n in detail["credit_notes"]] == [(note.pk, "-150.00")]
    assert detail["replaces"] is None and detail["replaced_by"] is None
    assert detail["actions"] == {"void": False, "credit": False, "generate_again": False}


def test_void_frees_the_cycle_writes_the_audit_trail_and_the_reason(manager_api, manager):
    invoice = contract_invoiced()

    response = manager_api.post(f"{URL}{invoice.pk}/void/", {"reason": "Wrong customer"})

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "void"
    assert BillingSchedule.objects.get(pk=invoice.schedule_id).status == "pending"
    assert Invoice.objects.credit_notes().get().credit_reason == "Wrong customer"
    event = AuditEvent.objects.filter(invoice=invoice).latest("pk")
    assert event.actor == manager


def test_void_without_a_reason_gives_the_pages_message_and_changes_nothing(manager_api):
    invoice = contract_invoiced()
    before = billing_state()

    response = manager_api.post(f"{URL}{invoice.pk}/void/", {"reason": "  "})

    assert response.status_code == 400
    assert response.json()["errors"]["reason"] == [
        "Give a reason to void the invoice: nothing was changed."
    ]
    assert billing_state() == before


@pytest.mark.parametrize(
    "body", [{"reason": "x", "force": True}, {"reason": 12}, {"reason": "x" * 201}, []]
)
def test_void_with_a_bad_body_is_a_400_and_changes_nothing(manager_api, body):
    invoice = contract_invoiced()
    before = billing_state()

    response = manager_api.post(f"{URL}{invoice.pk}/void/", body)

    assert response.status_code == 400
    assert billing_state() == before


def test_voiding_a_void_invoice_is_refused_by_the_rules_with_a_422(manager_api):
    invoice = contract_invoiced()
    manager_api.post(f"{URL}{invoice.pk}/void/", {"reason": "Once"})
    before = billing_state()

    response = manager_api.post(f"{URL}{invoice.pk}/void/", {"reason": "Twice"})

    assert response.status_code == 422
    assert invoice.number in response.json()["detail"]
    assert billing_state() == before


def test_a_viewers_key_reads_and_downloads_but_never_voids(viewer_api):
    invoice = contract_invoiced()
    before = billing_state()

    assert viewer_api.get(f"{URL}{invoice.pk}/").status_code == 200
    response = viewer_api.post(f"{URL}{invoice.pk}/void/", {"reason": "Mine now"})

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert billing_state() == before


def test_an_outsider_reads_nothing_and_anonymous_is_a_401(outsider_api, anonymous_api):
    invoice = InvoiceFactory()

    assert outsider_api.get(URL).status_code == 403
    assert outsider_api.get(f"{URL}{invoice.pk}/pdf/").status_code == 403
    assert anonymous_api.get(f"{URL}{invoice.pk}/").status_code == 401


@pytest.mark.parametrize("path", ["999999/", "99999999999999999999/", "-1/", "abc/pdf/"])
def test_an_unknown_invoice_is_a_404_problem(manager_api, path):
    response = manager_api.get(f"{URL}{path}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_pdf_is_the_pages_download(manager_api):
    invoice = contract_invoiced()

    response = manager_api.get(f"{URL}{invoice.pk}/pdf/", HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="{invoice.number}.pdf"' in response["Content-Disposition"]


def test_the_xml_is_a_409_problem_until_the_sellers_country_is_known(manager_api):
    invoice = contract_invoiced()

    missing = manager_api.get(f"{URL}{invoice.pk}/xml/")
    seller_identity_set()
    present = manager_api.get(f"{URL}{invoice.pk}/xml/")

    assert missing.status_code == 409
    assert missing["Content-Type"] == "application/problem+json"
    assert present.status_code == 200 and present["Content-Type"] == "application/xml"
    assert invoice.number.encode() in present.content


def test_an_overdue_filter_uses_the_billing_days_today(manager_api, today):
    overdue = InvoiceFactory(due_date=datetime.date(2026, 3, 14))
    InvoiceFactory(due_date=datetime.date(2026, 3, 15))

    rows = manager_api.get(URL, {"payment": "overdue"}).json()["results"]

    assert [row["id"] for row in rows] == [overdue.pk]
