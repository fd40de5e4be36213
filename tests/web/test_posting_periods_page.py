"""The posting periods page: a viewer sees, a manager closes (after a confirmation naming the
Pending schedules due in the month), only the reopen permission reopens; and the previews
say when an invoice is dated on the first open day."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from schedules.models import PostingPeriod, PostingPeriodEvent
from schedules.services.periods import posting_period_close
from tests.invoicing.helpers import run_nightly
from tests.web.helpers import messages_of

pytestmark = pytest.mark.django_db
D = datetime.date
LIST, CLOSE, REOPEN = "posting_periods:list", "posting_periods:close", "posting_periods:reopen"


def test_a_viewer_sees_the_months_with_who_closed_them_but_cannot_close(
    viewer_client, manager, today
):
    posting_period_close(month=D(2026, 1, 1), user=manager)

    response = viewer_client.get(reverse(LIST))

    rows = response.context["listed"].rows
    assert len(rows) == 28 and rows[0].month == D(2026, 6, 1) and rows[-1].month == D(2024, 3, 1)
    assert [r.month for r in rows if r.is_closed] == [D(2026, 1, 1)]
    page = response.content.decode()
    assert "Closed" in page and "by manager" in page and "Posting periods" in page
    assert "Close February 2026" not in page and "Reopen" not in page
    assert (
        viewer_client.post(reverse(CLOSE), {"month": "2026-02-01", "confirm": "on"}).status_code
        == 403
    )
    assert not PostingPeriod.objects.filter(month=D(2026, 2, 1)).exists()


def test_an_outsider_does_not_see_the_page_nor_its_link(outsider_client, today):
    assert outsider_client.get(reverse(LIST)).status_code == 403
    page = outsider_client.get(reverse("invoicing:dashboard")).content.decode()
    assert reverse(LIST) not in page


def test_closing_asks_for_confirmation_and_counts_the_pending_schedules(manager_client, contract):
    response = manager_client.get(reverse(CLOSE), {"month": "2026-02-01"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "1 Pending schedule</strong> has its Invoice Date in February 2026" in page
    assert "1 Mar 2026" in page
    assert not PostingPeriod.objects.exists()  # a GET writes nothing


def test_a_close_without_the_confirmation_is_refused_and_writes_nothing(manager_client, today):
    response = manager_client.post(reverse(CLOSE), {"month": "2026-02-01"})

    assert response.status_code == 400
    assert "Tick the confirmation" in response.content.decode()
    assert not PostingPeriod.objects.exists()


def test_a_manager_closes_a_month_and_it_is_on_the_trail(manager_client, manager, today):
    response = manager_client.post(
        reverse(CLOSE), {"month": "2026-02-01", "confirm": "on"}, follow=True
    )

    assert messages_of(response) == [
        "February 2026 closed: no invoice is dated inside it from now on."
    ]
    period = PostingPeriod.objects.get()
    assert (period.month, period.closed_by) == (D(2026, 2, 1), manager)
    assert PostingPeriodEvent.objects.get().actor == manager
    assert "Reopen" not in response.content.decode()  # managers are not given reopening


def test_a_month_not_started_is_refused_with_a_message(manager_client, today):
    response = manager_client.post(
        reverse(CLOSE), {"month": "2026-05-01", "confirm": "on"}, follow=True
    )

    assert messages_of(response) == [
        "May 2026 has not started yet: only a started month can be closed."
    ]
    assert not PostingPeriod.objects.exists()


def test_only_the_reopen_permission_reopens(manager_client, manager, today):
    posting_period_close(month=D(2026, 2, 1), user=manager)

    assert manager_client.post(reverse(REOPEN), {"month": "2026-02-01"}).status_code == 403
    assert PostingPeriod.objects.get().is_closed

    manager.user_permissions.add(Permission.objects.get(codename="reopen_postingperiod"))
    response = manager_client.post(reverse(REOPEN), {"month": "2026-02-01"}, follow=True)

    assert messages_of(response) == [
        "February 2026 reopened: invoices may be dated inside it again."
    ]
    assert not PostingPeriod.objects.get().is_closed
    assert list(PostingPeriodEvent.objects.values_list("action", flat=True)) == [
        "reopened",
        "closed",
    ]


def test_the_generate_invoice_preview_says_the_invoice_is_dated_on_the_first_open_day(
    manager_client, manager, contract
):
    posting_period_close(month=D(2026, 2, 1), user=manager)

    response = manager_client.get(reverse("invoicing:generate", args=[contract.pk]), {"cycle": 1})

    page = response.content.decode()
    assert "Invoice dated 1 Mar 2026: February 2026 is closed" in page


def test_the_offset_editor_notes_each_cycle_that_would_fall_in_a_closed_month(
    manager_client, manager, contract
):
    posting_period_close(month=D(2026, 3, 1), user=manager)

    response = manager_client.get(
        reverse("contracts:offset", args=[contract.pk]), {"offset_days": "3"}
    )

    preview = response.context["preview"]
    assert [r.posting_note for r in preview.rows][:3] == [
        "",
        "",
        "dated 1 Apr 2026: March 2026 is closed",
    ]
    page = response.content.decode()
    assert "Closed posting period:" in page and "Invoice dated 1 Apr 2026" in page


def test_the_runs_rows_and_the_job_say_an_invoice_was_dated_on_the_first_open_day(
    manager_client, manager, contract, today
):
    posting_period_close(month=D(2026, 2, 1), user=manager)
    run = run_nightly(today)
    job = run.jobs.get(contract=contract)

    run_page = manager_client.get(reverse("invoicing:run_detail", args=[run.pk]))
    job_page = manager_client.get(reverse("invoicing:job_detail", args=[job.pk]))

    note = "Dated 1 Mar 2026: February 2026 is closed"
    assert run_page.content.decode().count(note) == 1
    assert note in job_page.content.decode()
