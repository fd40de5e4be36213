"""Replacing an invoiced cycle through Generate Invoice: the notice, the difference, the box."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from invoicing import errors
from invoicing.models import AuditEvent
from tests.factories import UserFactory
from tests.invoicing.helpers import billing_state
from tests.web.helpers import form_as_shown, generate_url, invoice_cycle, messages_of, schedule_of

pytestmark = pytest.mark.django_db


def test_an_invoiced_cycle_names_its_invoice_and_shows_what_a_replacement_would_change(
    manager_client, contract
):
    old = invoice_cycle(contract, 2)
    line = contract.lines.get()
    line.quantity = Decimal("12")
    line.save()

    response = manager_client.get(generate_url(contract), {"cycle": 2})

    page = response.content.decode()
    assert "This cycle already has invoice" in page and old.number in page
    comparison = response.context["review"].comparison
    assert [line.difference for line in comparison.lines] == ["changed"]
    assert comparison.lines[0].changed_fields == ("quantity", "amount", "tax_amount")
    assert [(t.label, t.change) for t in comparison.totals] == [
        ("Subtotal", Decimal("25.00")),
        ("Tax", Decimal("5.00")),
        ("Total", Decimal("30.00")),
    ]


def test_an_invoiced_cycle_is_refused_without_replace_ticked(manager_client, contract):
    old = invoice_cycle(contract, 2)
    data = form_as_shown(manager_client, contract, cycle=2)
    before = billing_state()

    response = manager_client.post(generate_url(contract), data)

    assert billing_state() == before
    assert messages_of(response) == [
        errors.ALREADY_INVOICED.format(cycle="1 Mar 2026 – 31 Mar 2026", number=old.number)
    ]


def test_replacing_marks_the_old_invoice_replaced_and_links_it_to_the_new_one(
    manager_client, contract
):
    old = invoice_cycle(contract, 2)
    data = form_as_shown(manager_client, contract, cycle=2, replace=True)

    manager_client.post(generate_url(contract), data)

    old.refresh_from_db()
    new = old.replaced_by
    assert old.status == "replaced" and new.status == "issued"
    assert new.replaces == old and new.number != old.number
    assert schedule_of(contract, 2).resulting_invoice == new
    assert AuditEvent.objects.get(invoice=new).action == "invoice_replaced"


def test_a_paid_invoice_cannot_be_replaced(manager_client, contract):
    paid = invoice_cycle(contract, 2, paid_at=timezone.now())
    data = form_as_shown(manager_client, contract, cycle=2, replace=True)
    before = billing_state()

    response = manager_client.post(generate_url(contract), data)

    assert billing_state() == before
    refusal = errors.PAID_CANNOT_BE_REPLACED.format(number=paid.number)
    assert messages_of(response) == [refusal]
    assert not response.context["review"].can_generate
    assert refusal in manager_client.get(generate_url(contract), {"cycle": 2}).content.decode()


def test_a_user_who_may_generate_but_not_replace_gets_403_when_replacing(client, contract):
    generator = UserFactory()
    generator.user_permissions.add(
        Permission.objects.get(codename="generate_invoice"),
        Permission.objects.get(codename="view_billingcontract"),
    )
    invoice_cycle(contract, 2)
    client.force_login(generator)
    data = form_as_shown(client, contract, cycle=2, replace=True)
    before = billing_state()

    response = client.post(generate_url(contract), data)

    assert response.status_code == 403
    assert billing_state() == before
