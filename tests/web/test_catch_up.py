"""Generate all due from the dashboard: the confirmation page (counts per currency, the date
rule, the first rows), Proceed landing on the run's page, double submits, refusals,
permissions, and random input to its POST."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import strategies as st

from invoicing import errors
from invoicing.models import AuditEvent, GenerationRun
from tests.invoicing.helpers import active_contract, run_nightly
from tests.web.helpers import messages_of
from tests.web.test_bad_input_properties import form_data, hammer, ids, numbers, ticks

pytestmark = pytest.mark.django_db
CATCH_UP = reverse("invoicing:catch_up")
D = datetime.date


@pytest.fixture
def due(today):
    """Two contracts from 1 Jan: Jan, Feb and Mar due, six schedules."""
    return [active_contract(as_of=today) for _ in range(2)]


def proceed(client, schedules=6, contracts=2, **fields):
    return client.post(
        CATCH_UP, {"shown_schedules": schedules, "shown_contracts": contracts, **fields}
    )


def test_the_dashboard_offers_generate_all_due_to_managers_only(due, manager_client, viewer_client):
    dashboard = reverse("invoicing:dashboard")

    assert CATCH_UP in manager_client.get(dashboard).content.decode()
    assert CATCH_UP not in viewer_client.get(dashboard).content.decode()


def test_the_page_shows_counts_per_currency_the_date_rule_and_the_first_rows(due, manager_client):
    response = manager_client.get(CATCH_UP)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<b>6</b> due schedules of <b>2</b> contracts" in page
    assert "its schedule's Invoice Date, not today" in page
    assert "1 Jan 2026 – 31 Jan 2026" in page and "2 Jan 2026" in page
    assert "past due on issue" in page  # January's invoice was due on 1 Feb
    form = response.context["form"]
    assert (form["shown_schedules"].value(), form["shown_contracts"].value()) == (6, 2)


def test_proceed_opens_one_run_and_lands_on_its_progress_page(due, manager_client, manager):
    response = proceed(manager_client, auto_send="on")

    run = GenerationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("invoicing:run_detail", args=[run.pk])
    assert run.jobs.count() == 2 and run.parameters["post_tasks"]["auto_send"]
    assert AuditEvent.objects.get(run=run).actor == manager


def test_a_double_submit_lands_on_the_same_run(due, manager_client):
    first = proceed(manager_client)

    second = manager_client.post(
        CATCH_UP, {"shown_schedules": 6, "shown_contracts": 2}, follow=True
    )

    run = GenerationRun.objects.get()
    assert second.redirect_chain[-1][0] == first["Location"]
    assert errors.CATCH_UP_ALREADY_OPEN.format(run=run.pk) in messages_of(second)


def test_nothing_due_disables_proceed_and_a_post_is_refused(today, manager_client):
    run_nightly(today)

    page = manager_client.get(CATCH_UP).content.decode()
    response = proceed(manager_client, 0, 0)

    assert "Nothing is due" in page and "disabled" in page
    assert response.status_code == 400
    assert messages_of(response) == [errors.CATCH_UP_NOTHING_DUE.format(day="15 Mar 2026")]
    assert not GenerationRun.objects.filter(parameters__catch_up=True).exists()


def test_counts_not_the_ones_shown_are_refused_and_the_page_shows_the_new_ones(due, manager_client):
    response = proceed(manager_client, 3, 1)

    assert response.status_code == 400
    assert messages_of(response) == [
        errors.CATCH_UP_CHANGED.format(
            schedules=6, contracts=2, shown_schedules=3, shown_contracts=1
        )
    ]
    assert response.context["form"]["shown_schedules"].value() == 6
    assert not GenerationRun.objects.exists()


def test_a_viewer_sees_neither_the_page_nor_proceeds(due, viewer_client):
    assert viewer_client.get(CATCH_UP).status_code == 403
    assert proceed(viewer_client).status_code == 403
    assert not GenerationRun.objects.exists()


def test_proceed_never_answers_500_and_a_refusal_writes_nothing(due, manager):
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    counts = st.sampled_from(["6", "2", "0", "-1"]) | numbers | ids
    data = form_data(
        shown_schedules=counts,
        shown_contracts=counts,
        auto_send=ticks,
        auto_charge=ticks,
        auto_sync=ticks,
    )
    hammer(client, "generate all due (POST)", "post", CATCH_UP, data)
