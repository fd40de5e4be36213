"""Generate Invoice through the test client: cycles, preview, replace, future cycles, bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from invoicing.forms import FUTURE_NEEDS_PROCEED, GENERATED_NOT_OF_CONTRACT, NOT_A_CYCLE_CHOICE
from invoicing.models import AuditEvent, Invoice, PostInvoicingTask
from invoicing.selectors.drafts import invoice_preview
from schedules.models import BillingSchedule
from tests.factories import ContractLineFactory
from tests.invoicing.helpers import active_contract, billing_state
from tests.web.helpers import form_as_shown, generate_url, invoice_cycle, messages_of, schedule_of

D = datetime.date
pytestmark = pytest.mark.django_db


# The page -----------------------------------------------------------------------------------


def test_the_current_cycle_is_preselected_and_every_cycle_shows_its_dates_and_state(
    manager_client, contract
):
    invoice = invoice_cycle(contract, 0)
    BillingSchedule.objects.filter(contract=contract, cycle_index=1).update(status="cancelled")

    response = manager_client.get(generate_url(contract))

    form = response.context["form"]
    labels = dict(form.fields["cycle"].choices)
    assert form["cycle"].value() == 2
    assert labels[0] == f"1 Jan 2026 – 31 Jan 2026 · Invoiced {invoice.number}"
    assert labels[1] == "1 Feb 2026 – 28 Feb 2026 · Cancelled"
    assert labels[2] == "1 Mar 2026 – 31 Mar 2026 · Pending · current"
    assert labels[3] == "1 Apr 2026 – 30 Apr 2026 · Future"


def test_future_cycles_beyond_the_kept_schedules_can_be_picked(manager_client, contract):
    kept = BillingSchedule.objects.filter(contract=contract).count()

    response = manager_client.get(generate_url(contract))

    cycles = [value for value, _ in response.context["form"].fields["cycle"].choices]
    assert kept == 6
    assert cycles[-1] >= 12
    assert "1 Jan 2027 – 31 Jan 2027 · Future" in response.content.decode()


def test_the_preview_shows_exactly_what_generation_would_write(manager_client, contract, today):
    ContractLineFactory(
        contract=contract, description="Support", quantity=1, unit_price=Decimal("99.99")
    )
    expected = invoice_preview(schedule=schedule_of(contract, 2), as_of=today)

    response = manager_client.get(generate_url(contract))

    draft = response.context["review"].draft
    assert draft == expected
    page = response.content.decode()
    assert "EUR\u00a0125.00" in page and "EUR\u00a099.99" in page
    assert "EUR\u00a0269.99" in page  # 125.00 + 99.99 + 20 % tax on both, each rounded once
    assert response.context["form"]["fingerprint"].value() == expected.fingerprint()


def test_the_preview_switched_off_shows_no_figures_and_carries_no_fingerprint(
    manager_client, contract
):
    response = manager_client.get(generate_url(contract), {"cycle": 2, "preview_switch": "1"})

    assert response.context["review"].draft is None
    assert response.context["form"]["fingerprint"].value() == ""
    assert "Preview is off" in response.content.decode()


def test_an_htmx_cycle_change_returns_only_the_cycle_panel_and_the_buttons(
    manager_client, contract
):
    response = manager_client.get(
        generate_url(contract),
        {"cycle": 3, "preview_switch": "1", "preview": "1"},
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="cycle-panel">')
    assert 'id="generate-actions" hx-swap-oob="true"' in page
    assert "<html" not in page
    assert "HX-Request" in response["Vary"]


def test_an_unknown_cycle_in_the_address_shows_the_current_one_with_a_message(
    manager_client, contract
):
    response = manager_client.get(generate_url(contract), {"cycle": 9999})

    assert response.context["review"].choice.index == 2
    assert messages_of(response) == [NOT_A_CYCLE_CHOICE]


# Generating ---------------------------------------------------------------------------------


def test_generating_writes_the_previewed_invoice_and_links_it(manager_client, manager, contract):
    data = form_as_shown(manager_client, contract, cycle=2)

    response = manager_client.post(generate_url(contract), data, follow=True)

    invoice = Invoice.objects.get(contract=contract)
    schedule = schedule_of(contract, 2)
    assert (invoice.period_start, invoice.total) == (D(2026, 3, 1), Decimal("150.00"))
    assert (invoice.generated_by, invoice.generated_via) == (manager, "manual")
    assert (schedule.status, schedule.resulting_invoice) == ("invoiced", invoice)
    assert response.redirect_chain == [(f"{generate_url(contract)}?generated={invoice.pk}", 302)]
    assert response.context["generated"].invoice == invoice


def test_after_generating_the_page_shows_a_success_state_with_the_invoice_and_its_links(
    manager_client, contract
):
    data = form_as_shown(manager_client, contract, cycle=2)

    response = manager_client.post(generate_url(contract), data, follow=True)

    invoice = Invoice.objects.get(contract=contract)
    page = response.content.decode()
    assert f"Invoice {invoice.number} generated." in page
    assert "EUR\u00a0150.00 for 1 Mar 2026 – 31 Mar 2026" in page
    assert "dated 2 Mar 2026, due 1 Apr 2026" in page
    assert f'href="/invoices/{invoice.pk}/">Open invoice {invoice.number}' in page
    assert f'href="/invoices/{invoice.pk}/pdf/">Download PDF' in page
    assert f'href="{generate_url(contract)}?cycle=3">Generate another cycle' in page
    assert f'href="/contracts/{contract.pk}/">Back to the contract' in page
    # Not the cycle again in replace mode: no warning, no form to submit.
    assert 'data-notice="already-invoiced"' not in page
    assert "<form" not in page.split("<main", 1)[-1]
    assert messages_of(response) == []


def test_refreshing_the_success_state_generates_nothing_more(manager_client, contract):
    data = form_as_shown(manager_client, contract, cycle=2)
    response = manager_client.post(generate_url(contract), data)
    before = billing_state()

    again = manager_client.get(response["Location"])

    assert again.status_code == 200
    assert billing_state() == before
    assert Invoice.objects.filter(contract=contract).count() == 1


@pytest.mark.parametrize("generated", ["not-a-number", "0", "99999999999999"])
def test_a_tampered_success_address_shows_the_page_with_a_message(
    manager_client, contract, generated
):
    response = manager_client.get(generate_url(contract), {"generated": generated})

    assert response.status_code == 200
    assert "generated" not in response.context
    assert messages_of(response) == [GENERATED_NOT_OF_CONTRACT]


def test_the_success_state_shows_no_invoice_of_another_contract(manager_client, contract, today):
    other = active_contract(as_of=today)
    foreign = invoice_cycle(other, 2)

    response = manager_client.get(generate_url(contract), {"generated": foreign.pk})

    assert foreign.number not in response.content.decode()
    assert messages_of(response) == [GENERATED_NOT_OF_CONTRACT]
    assert response.context["review"].choice.index == 2


def test_the_post_invoicing_choice_is_kept_on_the_audit_trail(manager_client, contract):
    contract.auto_send = True
    contract.save()
    data = form_as_shown(manager_client, contract, cycle=2, auto_send=False, auto_sync=True)

    manager_client.post(generate_url(contract), data)

    event = AuditEvent.objects.get(contract=contract)
    assert event.door == "manual"
    assert event.detail.endswith("; post-invoicing requested: Auto-Sync")


def test_the_ticked_post_invoicing_tasks_and_only_those_are_asked_of_post_invoicing(
    manager_client, contract
):
    contract.auto_send = contract.auto_sync = True
    contract.save()
    data = form_as_shown(manager_client, contract, cycle=2, auto_send=False, auto_charge=True)

    manager_client.post(generate_url(contract), data)

    # The task rows are written with the invoice; their Celery messages leave on commit.
    invoice = Invoice.objects.get(contract=contract)
    assert sorted(invoice.post_tasks.values_list("kind", "status")) == [
        (PostInvoicingTask.Kind.CHARGE, PostInvoicingTask.Status.PENDING),
        (PostInvoicingTask.Kind.SYNC, PostInvoicingTask.Status.PENDING),
    ]


def test_the_post_invoicing_boxes_are_preset_from_the_contract(manager_client, today):
    contract = active_contract(as_of=today, auto_send=True, auto_charge=False, auto_sync=True)

    form = manager_client.get(generate_url(contract)).context["form"]

    assert [form[name].value() for name in ("auto_send", "auto_charge", "auto_sync")] == [
        True,
        False,
        True,
    ]


def test_a_generation_without_preview_writes_the_invoice_as_the_contract_stands(
    manager_client, contract
):
    data = form_as_shown(manager_client, contract, cycle=2, preview=False, fingerprint="")

    manager_client.post(generate_url(contract), data)

    assert Invoice.objects.get(contract=contract).total == Decimal("150.00")


# Future cycles ------------------------------------------------------------------------------


def test_a_future_cycle_shows_a_warning_and_a_proceed_button_instead_of_generate(
    manager_client, contract
):
    response = manager_client.get(generate_url(contract), {"cycle": 3})

    page = response.content.decode()
    assert "This is a future billing cycle." in page
    button = page.split('id="generate-button"', 1)[1].split("</button>", 1)[0]
    assert 'name="proceed" value="1"' in button
    assert button.rsplit(">", 1)[1].strip() == "Proceed"
    assert "Generate invoice" not in button and 'type="checkbox" name="proceed"' not in page


def test_a_current_cycle_offers_generate_and_no_proceed(manager_client, contract):
    page = manager_client.get(generate_url(contract), {"cycle": 2}).content.decode()

    button = page.split('id="generate-button"', 1)[1].split("</button>", 1)[0]
    assert 'name="proceed"' not in button
    assert button.rsplit(">", 1)[1].strip() == "Generate invoice"


def test_a_future_cycle_says_the_date_its_invoice_carries_and_a_due_date_before_it_starts(
    manager_client, contract
):
    # Cycle 5 (June) generated on 15 March: dated today, due after 30 days, in April.
    page = manager_client.get(generate_url(contract), {"cycle": 5}).content.decode()

    assert "Generated now, it is dated 15 Mar 2026 and due 14 Apr 2026" in page
    assert "before its period starts" in page


def test_a_future_cycle_without_proceed_writes_nothing(manager_client, contract):
    data = form_as_shown(manager_client, contract, cycle=9)
    before = billing_state()

    response = manager_client.post(generate_url(contract), data)

    assert billing_state() == before
    assert messages_of(response) == [FUTURE_NEEDS_PROCEED.format(period="1 Oct 2026 – 31 Oct 2026")]


def test_a_future_cycle_beyond_the_kept_schedules_gets_its_schedule_and_its_invoice(
    manager_client, contract
):
    data = form_as_shown(manager_client, contract, cycle=9, proceed="1")

    response = manager_client.post(generate_url(contract), data, follow=True)

    schedule = schedule_of(contract, 9)
    assert response.context["generated"].invoice == schedule.resulting_invoice
    assert f"Invoice {schedule.resulting_invoice.number} generated." in (response.content.decode())
    assert schedule.status == "invoiced"
    assert schedule.resulting_invoice.period_start == D(2026, 10, 1)
    # No gap: the cycles between the kept ones and the picked one are scheduled Pending.
    assert list(contract.schedules.values_list("cycle_index", flat=True)) == list(range(10))
