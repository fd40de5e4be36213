"""Issue credit note… from an invoice's page: amounts per line, a reason, a preview, then the
credit note; bad input refused with a message; what is still owed everywhere it is summed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing import errors
from invoicing.models import Invoice, InvoiceLine
from invoicing.services.partial_crediting import credit_note_issue
from invoicing.services.voiding import invoice_void
from invoicing.views.crediting import NOT_AN_AMOUNT
from tests.invoicing.helpers import active_contract
from tests.web.helpers import invoice_cycle, messages_of

pytestmark = pytest.mark.django_db
LIST = reverse("invoicing:invoice_list")


def credit_url(invoice) -> str:
    return reverse("invoicing:credit_note", args=[invoice.pk])


def page_of(client, invoice) -> str:
    return client.get(reverse("invoicing:invoice_detail", args=[invoice.pk])).content.decode()


def written():
    return (
        list(Invoice.objects.order_by("pk").values_list("pk", "status", "credited_total")),
        InvoiceLine.objects.count(),
    )


@pytest.fixture
def invoice(contract):
    """March, 10 × 12.50 at 20 %: 125.00 + 25.00 = 150.00, unpaid, due on 16 March."""
    return invoice_cycle(contract, 2)


def line_of(invoice):
    return invoice.lines.get()


def test_a_manager_previews_then_issues_a_partial_credit_note(manager_client, invoice):
    line = line_of(invoice)
    assert "Issue credit note…" in page_of(manager_client, invoice)
    form = {f"amount_{line.pk}": "41.67", "reason": "Outage on 3 March"}
    before = written()

    preview = manager_client.post(credit_url(invoice), {**form, "preview": "1"})

    assert preview.status_code == 200 and written() == before
    shown = preview.context["preview"]
    # 41.67 × 20 % = 8.334, rounded once to 8.33: 50.00 taken back, 100.00 left.
    assert (shown.draft.subtotal, shown.draft.tax_total, shown.draft.total) == (
        Decimal("-41.67"),
        Decimal("-8.33"),
        Decimal("-50.00"),
    )
    assert shown.left_after == Decimal("100.00")
    assert "data-credit-preview" in preview.content.decode()

    done = manager_client.post(credit_url(invoice), {**form, "confirm": "1"}, follow=True)

    note = invoice.credit_notes.get()
    assert note.total == Decimal("-50.00") and note.credit_reason == "Outage on 3 March"
    assert done.redirect_chain[-1][0] == reverse("invoicing:invoice_detail", args=[invoice.pk])
    note_url = reverse("invoicing:invoice_detail", args=[note.pk])
    assert messages_of(done) == [
        f'Credit note <a href="{note_url}">{note.number}</a> issued against {invoice.number}.'
    ]
    page = done.content.decode()
    assert "EUR\xa0100.00 still owed" in page


def test_changing_the_amounts_after_the_preview_keeps_what_was_typed(manager_client, invoice):
    line = line_of(invoice)
    form = {f"amount_{line.pk}": "10", "reason": "x", "edit": "1"}

    response = manager_client.post(credit_url(invoice), form)

    assert response.status_code == 200 and response.context["preview"] is None
    assert f'name="amount_{line.pk}" value="10"' in response.content.decode()
    assert invoice.credit_notes.count() == 0


def test_a_paid_invoice_may_be_credited_and_the_page_says_it_is_owed_back(manager_client, contract):
    paid = invoice_cycle(contract, 2, paid_at=datetime.datetime(2026, 3, 10, tzinfo=datetime.UTC))

    page = manager_client.get(credit_url(paid)).content.decode()

    assert "Issue credit note…" in page_of(manager_client, paid)
    assert "money owed back to the customer" in page


@pytest.fixture
def other_invoice(today):
    return invoice_cycle(active_contract(as_of=today), 2)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("150.00", errors.CREDIT_LINE_EXCEEDS_LEFT.format(description="{d}", left="EUR\xa0125.00")),
        ("-5", errors.CREDIT_AMOUNT_NOT_POSITIVE.format(description="{d}")),
        ("ten", NOT_AN_AMOUNT.format(value="ten")),
        ("NaN", NOT_AN_AMOUNT.format(value="NaN")),
        (
            "1.005",
            errors.CREDIT_AMOUNT_DECIMALS.format(
                description="{d}", currency="EUR", decimals=2, amount="1.005"
            ),
        ),
    ],
)
def test_bad_amounts_are_refused_with_a_message_and_write_nothing(
    manager_client, invoice, typed, message
):
    line = line_of(invoice)
    before = written()

    response = manager_client.post(
        credit_url(invoice), {f"amount_{line.pk}": typed, "reason": "r", "confirm": "1"}
    )

    assert response.status_code == 400
    assert messages_of(response) == [message.replace("{d}", line.description)]
    assert written() == before


def test_a_tampered_line_of_another_invoice_is_refused(manager_client, invoice, other_invoice):
    foreign = line_of(other_invoice)
    before = written()

    response = manager_client.post(
        credit_url(invoice), {f"amount_{foreign.pk}": "1", "reason": "r", "confirm": "1"}
    )

    assert response.status_code == 400
    assert messages_of(response) == [
        errors.CREDIT_LINE_NOT_ON_INVOICE.format(line=foreign.pk, number=invoice.number)
    ]
    assert written() == before


def test_no_reason_or_nothing_typed_is_refused(manager_client, invoice):
    line = line_of(invoice)
    before = written()

    no_reason = manager_client.post(credit_url(invoice), {f"amount_{line.pk}": "1", "confirm": "1"})
    nothing = manager_client.post(credit_url(invoice), {"reason": "r", "confirm": "1"})

    assert no_reason.status_code == nothing.status_code == 400
    assert messages_of(no_reason)[0].startswith("Reason:")
    assert messages_of(nothing) == [errors.CREDIT_NOTHING.format(number=invoice.number)]
    assert written() == before


def test_a_void_invoice_offers_no_credit_and_a_post_is_refused(manager_client, invoice):
    invoice_void(invoice=invoice)
    line = line_of(invoice)
    before = written()

    response = manager_client.post(
        credit_url(invoice), {f"amount_{line.pk}": "1", "reason": "r", "confirm": "1"}
    )

    assert response.status_code == 400
    assert "is void: only an issued invoice can be credited" in messages_of(response)[0]
    assert written() == before
    assert "Issue credit note…" not in page_of(manager_client, invoice)


def test_a_viewer_sees_no_button_and_a_post_is_refused(viewer_client, invoice):
    line = line_of(invoice)

    assert "Issue credit note…" not in page_of(viewer_client, invoice)
    assert viewer_client.get(credit_url(invoice)).status_code == 403
    response = viewer_client.post(
        credit_url(invoice), {f"amount_{line.pk}": "1", "reason": "r", "confirm": "1"}
    )
    assert response.status_code == 403
    assert invoice.credit_notes.count() == 0


def test_list_and_customer_show_what_is_still_owed_after_a_partial_credit(manager_client, invoice):
    credit_note_issue(invoice=invoice, amounts={line_of(invoice).pk: Decimal("41.67")}, reason="r")
    customer = invoice.contract.customer

    kept = manager_client.get(LIST, {"payment": "unpaid"}).context["totals"]
    searched = manager_client.get(LIST, {"customer_id": customer.pk}).context["totals"]
    page = manager_client.get(reverse("customers:detail", args=[customer.pk]))

    # The kept totals (triggers) and the aggregate of a customer's invoices agree.
    assert [(row.currency, row.unpaid) for row in kept] == [("EUR", Decimal("100.00"))]
    assert [(row.currency, row.unpaid) for row in searched] == [("EUR", Decimal("100.00"))]
    (balance,) = page.context["open_balances"]
    assert (balance.currency, balance.invoices, balance.unpaid) == ("EUR", 1, Decimal("100.00"))


def test_a_fully_credited_unpaid_invoice_is_neither_unpaid_nor_overdue(
    manager_client, invoice, today
):
    credit_note_issue(invoice=invoice, amounts={line_of(invoice).pk: Decimal("125")}, reason="r")
    customer = invoice.contract.customer
    later = {"issued_to": "2026-12-31"}  # the kept totals, with a filter on dates

    for query in ({"payment": "unpaid"}, {"payment": "overdue"}, {"payment": "unpaid", **later}):
        response = manager_client.get(LIST, query)
        assert invoice.number not in {row.number for row in response.context["page"]}
        assert all(row.unpaid == 0 for row in response.context["totals"])
    page = manager_client.get(reverse("customers:detail", args=[customer.pk]))
    assert page.context["open_balances"] == []
    assert "Credited in full" in manager_client.get(LIST).content.decode()
