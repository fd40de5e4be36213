"""The Invoice Generation Offset editor: its effect shown before saving (Invoice Dates
before and after, the Next Invoice Date and the period unchanged, the month boundary, the
customer's other offsets), then saving re-dates the Pending schedules only."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from contracts.models import BillingContract
from schedules.models import BillingSchedule
from tests.invoicing.helpers import active_contract, billing_state
from tests.web.helpers import invoice_cycle, messages_of

pytestmark = pytest.mark.django_db
D = datetime.date


def offset_url(contract) -> str:
    return reverse("contracts:offset", args=[contract.pk])


def dates(contract) -> list[tuple]:
    return list(
        contract.schedules.order_by("cycle_index").values_list(
            "cycle_index", "status", "period_start", "next_invoice_date", "invoice_date"
        )
    )


def test_the_effect_is_shown_first_and_nothing_is_written(manager_client, contract):
    before = dates(contract)

    response = manager_client.get(offset_url(contract), {"offset_days": "3"})

    preview = response.context["preview"]
    assert dates(contract) == before
    # Cycles 0 to 5 are Pending (January and February are due and not yet invoiced).
    assert [(r.schedule.next_invoice_date, r.invoice_date_after) for r in preview.rows] == [
        (D(2026, month, 1), D(2026, month, 4)) for month in range(1, 7)
    ]
    assert [r.due_at_once for r in preview.rows] == [True, True, True, False, False, False]
    page = response.content.decode()
    assert "2 Mar 2026" in page and "4 Mar 2026" in page  # now and after, side by side
    assert "6 Pending schedules re-dated" in page and "due at once" in page


def test_a_negative_offset_warns_of_the_month_boundary(manager_client, contract):
    response = manager_client.get(offset_url(contract), {"offset_days": "-3"})

    assert response.context["preview"].crossing_month == 6
    assert "Mind the month boundary" in response.content.decode()
    assert "26 Feb 2026" in response.content.decode()  # 1 March − 3 days


def test_the_customers_other_offsets_are_named(manager_client, contract, today):
    sibling = active_contract(as_of=today, customer=contract.customer, invoice_offset_days=5)
    active_contract(as_of=today, invoice_offset_days=9)  # another customer's

    response = manager_client.get(offset_url(contract), {"offset_days": "2"})

    assert response.context["preview"].other_offsets == [(sibling.number, 5)]
    assert "Keep offsets aligned" in response.content.decode()


def test_saving_re_dates_the_pending_schedules_only(manager_client, manager, contract):
    invoiced = invoice_cycle(contract, 2)
    invoiced_before = BillingSchedule.objects.get(contract=contract, cycle_index=2).invoice_date

    response = manager_client.post(offset_url(contract), {"offset_days": "-2"})

    contract.refresh_from_db()
    assert contract.invoice_offset_days == -2
    rows = {index: row for index, *row in dates(contract)}
    assert rows[2] == ["invoiced", D(2026, 3, 1), D(2026, 3, 1), invoiced_before]
    assert rows[3] == ["pending", D(2026, 4, 1), D(2026, 4, 1), D(2026, 3, 30)]
    assert rows[5][3] == D(2026, 5, 30)
    assert contract.schedules.get(cycle_index=2).resulting_invoice == invoiced
    assert "set to -2 days: 5 Pending schedules re-dated." in " ".join(
        messages_of(manager_client.get(response.url))
    )
    entry = LogEntry.objects.get(object_id=str(contract.pk))
    assert entry.user == manager and "from +1 to -2 days" in entry.get_change_message()


@pytest.mark.parametrize("value", ["366", "-366", "abc", "", "1.5", "9" * 30])
def test_bad_input_gets_a_message_and_changes_nothing(manager_client, contract, value):
    before = billing_state(), dates(contract)

    shown = manager_client.get(offset_url(contract), {"offset_days": value})
    saved = manager_client.post(offset_url(contract), {"offset_days": value})

    assert shown.status_code == saved.status_code == 400
    assert shown.context["preview"] is None
    assert (billing_state(), dates(contract)) == before
    assert BillingContract.objects.get(pk=contract.pk).invoice_offset_days == 1


def test_viewers_may_not_open_or_save_the_editor(viewer_client, contract):
    assert viewer_client.get(offset_url(contract)).status_code == 403
    assert viewer_client.post(offset_url(contract), {"offset_days": "3"}).status_code == 403
    assert BillingContract.objects.get(pk=contract.pk).invoice_offset_days == 1
