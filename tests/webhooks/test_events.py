"""Each event type is emitted once by its door: a payment succeeding or a transfer
recorded (invoice.paid), a run finishing (run.finished), a post-invoicing task failing for
good (post_invoicing_task.failed); and the accounting endpoint seeded from the settings."""

from __future__ import annotations

import pytest
from django.apps import apps as global_apps
from standardwebhooks import Webhook

from invoicing.post_invoicing.interventions import payment_transfer_record, post_tasks_retry
from invoicing.post_invoicing.models import PostInvoicingTask
from tests.post_invoicing.helpers import contract_invoiced, run_task, stripe_customer, task_of
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outside_world", "eager_celery")]
Kind = PostInvoicingTask.Kind


def received(receiver, event_type: str) -> list[dict]:
    return [d.event for d in receiver.deliveries if d.event["event"] == event_type]


def test_a_successful_charge_emits_invoice_paid_once(
    receiver, endpoint, fake_stripe, django_capture_on_commit_callbacks
):
    invoice = contract_invoiced(customer=stripe_customer(), auto_charge=True)

    with django_capture_on_commit_callbacks(execute=True):
        run_task(task_of(invoice, Kind.CHARGE))
        run_task(task_of(invoice, Kind.CHARGE))  # a second run finds it paid: no second event

    (paid,) = received(receiver, "invoice.paid")
    assert paid["invoice"]["number"] == invoice.number and paid["payment"]["amount"] == "150.00"
    assert WebhookEvent.objects.filter(type="invoice.paid").count() == 1


def test_a_transfer_recorded_emits_invoice_paid_once(
    settings, receiver, endpoint, django_capture_on_commit_callbacks
):
    settings.BILLING_PAYMENT_GATEWAY = "manual"
    invoice = contract_invoiced(auto_charge=True)
    run_task(task_of(invoice, Kind.CHARGE))

    with django_capture_on_commit_callbacks(execute=True):
        payment_transfer_record(invoice=invoice)

    (paid,) = received(receiver, "invoice.paid")
    assert paid["payment"]["gateway"] == "manual"


def test_a_finished_run_emits_run_finished_once(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = contract_invoiced()  # the nightly run, in this process

    (finished,) = received(receiver, "run.finished")
    assert finished["run"]["jobs"]["succeeded"] == 1
    assert finished["run"]["as_of_date"] == "2026-01-02"
    assert invoice.number  # the run did write its invoice


def test_a_task_failing_for_good_emits_post_invoicing_task_failed(
    receiver, endpoint, ledger, django_capture_on_commit_callbacks
):
    ledger.answers = [400]
    invoice = contract_invoiced(auto_sync=True)

    with django_capture_on_commit_callbacks(execute=True):
        task = run_task(task_of(invoice, Kind.SYNC))

    (failed,) = received(receiver, "post_invoicing_task.failed")
    assert failed["task"] == {
        "id": task.pk,
        "kind": "sync",
        "invoice": invoice.number,
        "attempts": 1,
        "message": task.message,
    }
    assert all(d.signature_valid for d in receiver.deliveries)


def test_a_task_giving_up_after_its_last_transient_attempt_emits_the_failure_once(
    settings, receiver, endpoint, mail_server, django_capture_on_commit_callbacks
):
    invoice = contract_invoiced(auto_send=True)
    mail_server.stop()  # the mail server cannot be reached: transient, every attempt

    with django_capture_on_commit_callbacks(execute=True):
        task = run_task(task_of(invoice, Kind.SEND))
        run_task(task)  # a second message for the failed task changes nothing

    attempts = settings.POST_INVOICING_MAX_ATTEMPTS
    assert (task.status, task.attempts) == (PostInvoicingTask.Status.FAILED, attempts)
    assert task.message.startswith(f"Failed after {attempts} attempts: ")
    (failed,) = received(receiver, "post_invoicing_task.failed")
    assert failed["task"]["attempts"] == attempts and failed["task"]["message"] == task.message
    assert WebhookEvent.objects.filter(type="post_invoicing_task.failed").count() == 1


def test_a_task_retried_by_a_person_and_failing_again_emits_a_second_failure(
    receiver, endpoint, ledger, django_capture_on_commit_callbacks
):
    ledger.answers = [400, 400]
    invoice = contract_invoiced(auto_sync=True)

    with django_capture_on_commit_callbacks(execute=True):
        task = run_task(task_of(invoice, Kind.SYNC))
        post_tasks_retry(task_ids=[task.pk])
    task.refresh_from_db()

    assert task.status == PostInvoicingTask.Status.FAILED and task.attempts == 2
    failures = received(receiver, "post_invoicing_task.failed")
    assert [f["task"]["attempts"] for f in failures] == [1, 2]
    assert len({d.headers["webhook-id"] for d in receiver.deliveries}) == len(receiver.deliveries)


def test_the_accounting_settings_seed_one_endpoint_with_a_whsec_secret(settings):
    from importlib import import_module

    seed = import_module("webhooks.migrations.0002_sweep_and_accounting_endpoint")
    WebhookEndpoint.objects.all().delete()
    settings.ACCOUNTING_WEBHOOK_URL = "https://ledger.example/events"
    settings.ACCOUNTING_WEBHOOK_SECRET = "accounting-shared-secret"

    seed.seed_accounting_endpoint(global_apps, None)
    seed.seed_accounting_endpoint(global_apps, None)  # twice: still one

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.url == "https://ledger.example/events"
    assert endpoint.events == [
        "invoice.issued",
        "invoice.replaced",
        "invoice.voided",
        "credit_note.issued",
    ]
    assert Webhook(endpoint.secret)._whsecret == b"accounting-shared-secret"
    assert not WebhookDelivery.objects.exists()
