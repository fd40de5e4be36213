"""A double-click that reaches the server as two simultaneous requests, on real connections."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from invoicing.models import Invoice
from tests.factories import BILLING_MANAGERS, user_in
from tests.invoicing.helpers import active_contract
from tests.web.helpers import form_as_shown, generate_url


def _post_twice_at_once(manager, contract, data) -> list[int]:
    start = threading.Barrier(2)
    statuses = []

    def click():
        try:
            client = Client()
            client.force_login(manager)
            start.wait()
            statuses.append(client.post(generate_url(contract), data).status_code)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.fixture
def manager_and_contract(transactional_db, today):
    return user_in(BILLING_MANAGERS), active_contract(as_of=today)


def test_two_simultaneous_posts_for_a_new_future_cycle_create_one_invoice(manager_and_contract):
    manager, contract = manager_and_contract
    browser = Client()
    browser.force_login(manager)
    data = form_as_shown(browser, contract, cycle=9, proceed="1")

    statuses = _post_twice_at_once(manager, contract, data)

    # One redirect to the new invoice, one page refusing the second click.
    assert sorted(statuses) == [200, 302]
    assert Invoice.objects.filter(contract=contract).count() == 1


def test_two_simultaneous_replace_posts_replace_once(manager_and_contract):
    manager, contract = manager_and_contract
    browser = Client()
    browser.force_login(manager)
    browser.post(generate_url(contract), form_as_shown(browser, contract, cycle=2), follow=True)
    data = form_as_shown(browser, contract, cycle=2, replace=True)

    statuses = _post_twice_at_once(manager, contract, data)

    assert sorted(statuses) == [200, 302]
    invoices = Invoice.objects.filter(contract=contract, document="invoice")
    assert sorted(invoices.values_list("status", flat=True)) == ["issued", "replaced"]
    assert Invoice.objects.credit_notes().filter(contract=contract).count() == 1
