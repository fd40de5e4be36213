"""Auto-Sync: the accounting endpoint (a loopback ledger) receives each invoice event signed
per Standard Webhooks and verifies it with the standardwebhooks package's own verifier."""

from __future__ import annotations

import datetime
import json

import pytest

from invoicing.models import Invoice
from invoicing.post_invoicing import errors
from invoicing.post_invoicing.models import PostInvoicingTask
from invoicing.post_invoicing.running import Outcome, post_task_run
from invoicing.post_invoicing.syncing import event_body, invoice_event_id
from invoicing.services import invoice_generate
from tests.post_invoicing.helpers import contract_invoiced, run_task, task_of
from webhooks.models import WebhookEndpoint
from webhooks.signing import secret_generate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outside_world", "eager_celery")]

Kind = PostInvoicingTask.Kind
Status = PostInvoicingTask.Status


def test_the_issued_invoice_is_posted_signed_with_its_idempotency_key(ledger):
    invoice = contract_invoiced(auto_sync=True)

    task = run_task(task_of(invoice, Kind.SYNC))

    assert task.status == Status.DONE
    assert task.message == "Delivered invoice.issued: Accounting: HTTP 200."
    (delivery,) = ledger.deliveries
    assert delivery.signature_valid, delivery.refusal
    event_id = invoice_event_id(invoice.number, "invoice.issued")
    assert event_id.startswith("msg_")
    assert delivery.headers["webhook-id"] == event_id
    assert delivery.headers["Idempotency-Key"] == event_id
    assert delivery.headers["Content-Type"] == "application/json"
    event = delivery.event
    assert event["event"] == "invoice.issued"
    assert event["id"] == f"{invoice.number}:invoice.issued"  # the body keeps its fields
    body = event["invoice"]
    assert (body["number"], body["status"], body["currency"]) == (invoice.number, "issued", "EUR")
    assert (body["subtotal"], body["tax_total"], body["total"]) == ("125.00", "25.00", "150.00")
    assert body["lines"][0]["amount"] == "125.00"
    assert body["period_start"] == "2026-01-01"


def test_every_attempt_of_an_event_sends_the_same_bytes(ledger):
    invoice = contract_invoiced(auto_sync=True)
    first = event_body(invoice=invoice, event="invoice.issued")
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.REPLACED)
    invoice.refresh_from_db()

    assert event_body(invoice=invoice, event="invoice.issued") == first


def test_a_400_from_accounting_fails_the_task_for_good_with_the_reason(ledger):
    ledger.answers = [400]
    invoice = contract_invoiced(auto_sync=True)

    task = run_task(task_of(invoice, Kind.SYNC))

    assert (task.status, task.attempts) == (Status.FAILED, 1)
    assert task.message.startswith("invoice.issued failed for good: Accounting: HTTP 400")
    assert "refused on purpose" in task.message
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED


def test_an_endpoint_that_never_answers_is_retried_then_fails_with_the_reason(settings, ledger):
    ledger.answers = [None] * settings.POST_INVOICING_MAX_ATTEMPTS
    invoice = contract_invoiced(auto_sync=True)

    task = run_task(task_of(invoice, Kind.SYNC))

    assert task.status == Status.FAILED
    assert task.attempts == settings.POST_INVOICING_MAX_ATTEMPTS
    assert task.message.startswith(
        "invoice.issued failed for good: Accounting: Failed after 3 attempts: Could not be reached"
    )
    assert "timed out" in task.message
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED


def test_a_5xx_is_retried_and_the_ledger_books_the_event_once(ledger):
    ledger.answers = [503]
    invoice = contract_invoiced(auto_sync=True)

    task = run_task(task_of(invoice, Kind.SYNC))

    assert (task.status, task.attempts) == (Status.DONE, 2)
    keys = {delivery.headers["webhook-id"] for delivery in ledger.deliveries}
    assert keys == {invoice_event_id(invoice.number, "invoice.issued")}
    stamps = [int(delivery.headers["webhook-timestamp"]) for delivery in ledger.deliveries]
    assert len(ledger.deliveries) == 2 and stamps[0] <= stamps[1]  # each attempt's own time
    assert len(ledger.booked) == 1


def test_a_wrong_secret_is_caught_by_the_ledger(ledger, ledger_endpoint):
    WebhookEndpoint.objects.filter(pk=ledger_endpoint.pk).update(secret=secret_generate())
    invoice = contract_invoiced(auto_sync=True)

    task = run_task(task_of(invoice, Kind.SYNC))

    assert not ledger.deliveries[0].signature_valid
    assert task.status == Status.FAILED and "HTTP 401" in task.message


def test_auto_sync_without_a_subscribed_endpoint_fails_with_a_clear_reason(ledger):
    WebhookEndpoint.objects.update(events=["invoice.paid"])
    invoice = contract_invoiced(auto_sync=True)

    task = run_task(task_of(invoice, Kind.SYNC))

    expected = errors.SYNC_NOT_CONFIGURED.format(event="invoice.issued")
    assert (task.status, task.message) == (Status.FAILED, expected)
    assert ledger.deliveries == []


def test_a_replaced_invoice_sends_its_own_event(ledger, django_capture_on_commit_callbacks):
    old = contract_invoiced(auto_sync=True)
    run_task(task_of(old, Kind.SYNC))

    with django_capture_on_commit_callbacks(execute=True):
        new = invoice_generate(schedule=old.schedule, replace=True, as_of=datetime.date(2026, 1, 5))

    assert task_of(old, Kind.SYNC_REPLACED).status == Status.DONE
    assert task_of(new, Kind.SYNC).status == Status.DONE
    events = sorted((d.event["invoice"]["number"], d.event["event"]) for d in ledger.deliveries)
    note = old.credit_notes.get()
    assert events == [
        (note.number, "credit_note.issued"),
        (old.number, "invoice.issued"),
        (old.number, "invoice.replaced"),
        (new.number, "invoice.issued"),
    ]
    credit = next(d.event for d in ledger.deliveries if d.event["event"] == "credit_note.issued")
    assert credit["invoice"]["credits"] == old.number
    assert credit["invoice"]["document"] == "credit_note"
    assert credit["invoice"]["total"] == f"-{old.total:.2f}"
    replaced = next(d.event for d in ledger.deliveries if d.event["event"] == "invoice.replaced")
    assert replaced["invoice"]["status"] == "replaced"
    assert replaced["invoice"]["replaced_by"] == new.number
    issued = next(d.event for d in ledger.deliveries if d.event["invoice"]["number"] == new.number)
    assert issued["invoice"]["replaces"] == old.number
    assert all(d.signature_valid for d in ledger.deliveries)


def test_the_replaced_event_waits_while_the_issue_is_not_delivered(ledger):
    old = contract_invoiced(auto_sync=True)
    invoice_generate(schedule=old.schedule, replace=True, as_of=datetime.date(2026, 1, 5))
    replaced = task_of(old, Kind.SYNC_REPLACED)

    assert post_task_run(task_id=replaced.pk) == Outcome.RETRY
    replaced.refresh_from_db()
    assert errors.SYNC_WAITING_FOR_ISSUE in replaced.message
    assert ledger.deliveries == []

    assert post_task_run(task_id=task_of(old, Kind.SYNC).pk) == Outcome.DONE
    assert post_task_run(task_id=replaced.pk) == Outcome.DONE
    assert [d.event["event"] for d in ledger.deliveries] == ["invoice.issued", "invoice.replaced"]


def test_an_invoice_never_synced_sends_no_replaced_event(ledger):
    old = contract_invoiced(auto_sync=False)

    invoice_generate(schedule=old.schedule, replace=True, as_of=datetime.date(2026, 1, 5))

    assert not PostInvoicingTask.objects.filter(invoice=old).exists()


def test_a_voided_invoice_sends_its_own_event(ledger, django_capture_on_commit_callbacks):
    from invoicing.post_invoicing.scheduling import post_invoicing_invoices_retired

    invoice = contract_invoiced(auto_sync=True)
    run_task(task_of(invoice, Kind.SYNC))
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.VOID)

    with django_capture_on_commit_callbacks(execute=True):
        post_invoicing_invoices_retired(invoice_ids=[invoice.pk])
        post_invoicing_invoices_retired(invoice_ids=[invoice.pk])  # twice: one event

    assert task_of(invoice, Kind.SYNC_VOIDED).status == Status.DONE
    voided = [d for d in ledger.deliveries if d.event["event"] == "invoice.voided"]
    assert len(voided) == 1
    assert json.loads(voided[0].body)["invoice"]["status"] == "void"
