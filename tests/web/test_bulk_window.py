"""The bulk window: a selection (ticked ids or the list's filters), the Regular tab's summary
and cycles, Proceed, and every refusal leaving nothing queued."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from contracts.forms import SELECTION_NOT_COUNTED, TOO_MANY_IDS
from contracts.models import BillingContract
from invoicing import errors
from invoicing.models import AuditEvent, Door, GenerationJob, GenerationRun
from tests.invoicing.helpers import active_contract
from tests.web.helpers import invoice_cycle, messages_of

pytestmark = pytest.mark.django_db
BULK = reverse("invoicing:bulk")
D = datetime.date


@pytest.fixture
def three(today):
    return [active_contract(as_of=today) for _ in range(3)]


def proceed(client, selected, **fields):
    data = {"tab": "regular", "cycle_date": "2026-03-15", "contracts": [c.pk for c in selected]}
    data.update(fields)
    return client.post(BULK, {k: v for k, v in data.items() if v is not None})


def test_the_window_shows_each_contracts_cycle_and_the_summary(manager_client, three):
    response = manager_client.get(BULK, {"contracts": [c.pk for c in three]})

    page = response.content.decode()
    summary = response.context["summary"]
    assert (summary.contracts, summary.would_generate, summary.would_replace) == (3, 3, 0)
    assert [row.cycle.start for row in response.context["rows"]] == [D(2026, 3, 1)] * 3
    assert "1 Mar 2026 – 31 Mar 2026" in page and "would be generated" in page
    assert response.context["regular"]["cycle_date"].value() == D(2026, 3, 15)


def test_post_tasks_are_ticked_only_when_every_contract_has_them(manager_client, three):
    BillingContract.objects.update(auto_send=True)
    BillingContract.objects.filter(pk=three[0].pk).update(auto_charge=True)

    response = manager_client.get(BULK, {"contracts": [c.pk for c in three]})

    form = response.context["regular"]
    assert form["auto_send"].value() is True
    assert not form["auto_charge"].value() and not form["auto_sync"].value()
    assert "not every contract has it" in response.content.decode()


def test_already_invoiced_contracts_are_skipped_with_why_and_replace_counts_them(
    manager_client, three
):
    invoice_cycle(three[0], 2)
    ids = [c.pk for c in three]

    plain = manager_client.get(BULK, {"contracts": ids, "cycle_date": "2026-03-15"})
    replacing = manager_client.get(
        BULK, {"contracts": ids, "cycle_date": "2026-03-15", "replace": "on"}
    )

    assert plain.context["summary"].skipped == {"Skipped: already invoiced": 1}
    assert replacing.context["summary"].would_replace == 1
    assert "Yes, replace 1 invoice" in replacing.content.decode()


def test_every_matching_contract_is_rebuilt_from_the_filters(manager_client, three):
    BillingContract.objects.filter(pk=three[0].pk).update(currency="USD")

    response = manager_client.get(BULK, {"selection": "matching", "currency": "EUR"})

    assert response.context["count"] == 2
    assert ("currency", "EUR") in response.context["carried"]
    assert 'name="contracts"' not in response.content.decode()


def test_proceed_opens_a_run_with_a_job_per_contract_and_goes_to_its_page(
    manager_client, manager, three
):
    response = proceed(manager_client, three, auto_send="on")

    run = GenerationRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("invoicing:run_detail", args=[run.pk])
    assert run.trigger == Door.BULK and run.requested_by == manager
    assert run.parameters["cycle_date"] == "2026-03-15"
    assert run.parameters["post_tasks"] == {
        "auto_send": True,
        "auto_charge": False,
        "auto_sync": False,
    }
    assert set(run.jobs.values_list("contract_id", flat=True)) == {c.pk for c in three}
    assert AuditEvent.objects.filter(run=run, actor=manager).exists()


def test_proceed_on_every_matching_contract_sends_no_ids(manager_client, three):
    BillingContract.objects.filter(pk=three[0].pk).update(currency="USD")

    manager_client.post(
        BULK,
        {
            "tab": "regular",
            "cycle_date": "2026-03-15",
            "selection": "matching",
            "currency": "EUR",
            "shown_count": "2",
        },
    )

    jobs = set(GenerationJob.objects.values_list("contract_id", flat=True))
    assert jobs == {three[1].pk, three[2].pk}


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"contracts": []}, errors.BULK_EMPTY_SELECTION),
        ({"contracts": ["999999"]}, errors.BULK_UNKNOWN_CONTRACTS.format(count=1)),
        ({"contracts": ["abc"]}, "The selection is not a list of contracts"),
        ({"cycle_date": "2020-01-01"}, errors.BULK_NO_CYCLE_AT_DATE.format(day=D(2020, 1, 1))),
        ({"cycle_date": "not a date"}, "Enter a valid date."),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_queued(
    manager_client, three, fields, message
):
    response = proceed(manager_client, three, **fields)

    assert response.status_code == 400
    assert any(message in text for text in messages_of(response))
    assert GenerationRun.objects.count() == 0 and GenerationJob.objects.count() == 0


def test_only_cancelled_contracts_selected_queue_nothing(manager_client, three):
    BillingContract.objects.update(status=BillingContract.Status.CANCELLED)

    response = proceed(manager_client, three)

    assert errors.BULK_NO_CYCLE_AT_DATE.format(day=D(2026, 3, 15)) in messages_of(response)
    assert GenerationRun.objects.count() == 0


def test_a_cancelled_contract_among_active_ones_is_queued_to_be_skipped(manager_client, three):
    BillingContract.objects.filter(pk=three[0].pk).update(status="cancelled")

    summary = manager_client.get(BULK, {"contracts": [c.pk for c in three]}).context["summary"]

    assert summary.would_generate == 2
    assert summary.skipped == {"Skipped: the contract is cancelled, not active": 1}


def test_too_many_ticked_ids_are_refused_in_favour_of_the_filter(manager_client, three):
    response = proceed(manager_client, three, contracts=[str(n) for n in range(501)])

    assert TOO_MANY_IDS in messages_of(response)
    assert GenerationRun.objects.count() == 0


def test_replacing_needs_the_replace_permission(manager_client, manager, three):
    from django.contrib.auth.models import Permission

    manager.groups.first().permissions.remove(Permission.objects.get(codename="replace_invoice"))

    response = proceed(manager_client, three, replace="on", confirm_replace="on")

    assert response.status_code == 403
    assert GenerationRun.objects.count() == 0


def test_a_confirmed_replace_is_queued_with_it(manager_client, three):
    invoice_cycle(three[0], 2)

    proceed(manager_client, three, replace="on", confirm_replace="on")

    assert GenerationRun.objects.get().parameters["replace"] is True


def test_viewers_and_outsiders_are_refused_and_anonymous_sent_to_sign_in(
    viewer_client, outsider_client, three
):
    ids = [c.pk for c in three]
    assert viewer_client.get(BULK, {"contracts": ids}).status_code == 403
    assert proceed(viewer_client, three).status_code == 403
    assert proceed(outsider_client, three).status_code == 403
    anonymous = proceed(Client(), three)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    assert GenerationRun.objects.count() == 0


def test_proceed_without_the_csrf_token_is_refused(manager, three):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    response = proceed(client, three)

    assert response.status_code == 403
    assert GenerationRun.objects.count() == 0


def test_replacing_an_issued_invoice_needs_the_confirmation_and_nothing_is_queued_without(
    manager_client, three
):
    invoice_cycle(three[0], 2)

    response = proceed(manager_client, three, replace="on")

    assert response.status_code == 400
    assert errors.REPLACE_NEEDS_CONFIRMATION in messages_of(response)
    assert GenerationRun.objects.count() == 0 and GenerationJob.objects.count() == 0


def test_replace_with_nothing_to_replace_needs_no_confirmation(manager_client, three):
    response = proceed(manager_client, three, replace="on")

    assert response.status_code == 302
    assert GenerationJob.objects.filter(run__parameters__replace=True).count() == 3


MATCHING = {"tab": "regular", "cycle_date": "2026-03-15", "selection": "matching"}


@pytest.mark.parametrize(
    "bad_filter",
    [
        {"status": "no-such-status"},
        {"q": "x" * 101},
        {"currency": "XXX"},
        {"next_from": "2026-13-45"},
        {"next_from": "2026-05-01", "next_to": "2026-01-01"},
        {"sort": "-password"},
    ],
)
def test_a_filter_that_does_not_validate_never_widens_the_selection(
    manager_client, three, bad_filter
):
    window = manager_client.get(BULK, {"selection": "matching", **bad_filter})
    response = manager_client.post(BULK, {**MATCHING, **bad_filter, "shown_count": "3"})

    assert window.context["count"] == 0
    assert response.status_code == 400
    assert any("filters are not valid" in text for text in messages_of(response))
    assert GenerationRun.objects.count() == 0 and GenerationJob.objects.count() == 0


def test_the_list_offers_no_select_all_while_a_filter_does_not_validate(manager_client, three):
    valid = manager_client.get(reverse("contracts:list"), {"currency": "EUR"})
    invalid = manager_client.get(reverse("contracts:list"), {"status": "no-such-status"})

    assert "data-select-matching" in valid.content.decode()
    assert "data-select-matching" not in invalid.content.decode()


def test_proceed_acts_on_exactly_the_count_shown_or_on_nothing(manager_client, three, today):
    shown = manager_client.get(BULK, {"selection": "matching", "currency": "EUR"})
    assert 'name="shown_count" value="3"' in shown.content.decode()
    active_contract(as_of=today)  # a contract added after the window was shown

    response = manager_client.post(BULK, {**MATCHING, "currency": "EUR", "shown_count": "3"})

    assert response.status_code == 400
    assert errors.BULK_SELECTION_CHANGED.format(count=4, shown=3) in messages_of(response)
    assert GenerationRun.objects.count() == 0 and GenerationJob.objects.count() == 0


def test_a_selection_by_filter_without_the_count_shown_is_refused(manager_client, three):
    response = manager_client.post(BULK, {**MATCHING, "currency": "EUR"})

    assert response.status_code == 400
    assert SELECTION_NOT_COUNTED in messages_of(response)
    assert GenerationRun.objects.count() == 0
