"""Auto-Charge: the manual gateway, and Stripe's API stood in for by a loopback server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from invoicing.models import Invoice
from invoicing.post_invoicing import errors
from invoicing.post_invoicing.charging import payment_idempotency_key
from invoicing.post_invoicing.interventions import payment_transfer_record, post_tasks_retry
from invoicing.post_invoicing.models import Payment, PostInvoicingTask
from invoicing.post_invoicing.running import Outcome, post_task_run
from invoicing.services.partial_crediting import credit_note_issue
from tests.factories import CustomerFactory, PaymentFactory
from tests.post_invoicing.helpers import contract_invoiced, run_task, stripe_customer, task_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outside_world", "eager_celery")]

CHARGE = PostInvoicingTask.Kind.CHARGE
Status = PostInvoicingTask.Status


def _charged_invoice(**terms):
    return contract_invoiced(customer=stripe_customer(), auto_charge=True, **terms)


def test_stripe_charges_the_total_on_the_saved_payment_method_and_the_invoice_is_paid(
    fake_stripe,
):
    invoice = _charged_invoice()

    task = run_task(task_of(invoice, CHARGE))

    assert task.status == Status.DONE
    (request,) = fake_stripe.requests
    assert request.idempotency_key == f"invoice-{invoice.number}"
    assert request.params["amount"] == "15000"  # 150.00 EUR in cents
    assert request.params["currency"] == "eur"
    assert request.params["customer"] == "cus_test_1"
    assert request.params["payment_method"] == "pm_card_visa"
    assert request.params["off_session"] == "true" and request.params["confirm"] == "true"
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.status, payment.amount, payment.gateway) == (
        "succeeded",
        Decimal("150"),
        "stripe",
    )
    assert payment.gateway_reference == fake_stripe.charges[0]["id"]
    invoice.refresh_from_db()
    assert invoice.is_paid and invoice.status == Invoice.Status.ISSUED
    assert task.message == errors.CHARGED.format(
        amount="EUR\u00a0150.00", gateway="stripe", reference=payment.gateway_reference
    )


def test_a_declined_card_fails_the_task_with_the_reason_and_the_invoice_stays_unpaid(
    fake_stripe,
):
    fake_stripe.decline = True
    invoice = _charged_invoice()

    task = run_task(task_of(invoice, CHARGE))

    assert task.status == Status.FAILED
    assert task.attempts == 1  # a decline is not retried
    assert task.message == errors.DECLINED.format(
        reason="Your card has insufficient funds. (insufficient_funds)"
    )
    payment = Payment.objects.get(invoice=invoice)
    assert payment.status == Payment.Status.FAILED
    assert payment.gateway_reference.startswith("pi_test_")
    invoice.refresh_from_db()
    assert not invoice.is_paid and invoice.status == Invoice.Status.ISSUED
    assert fake_stripe.charges == []


def test_a_server_error_is_retried_with_the_same_key_and_charges_once(fake_stripe):
    fake_stripe.fail_times = 2
    invoice = _charged_invoice()

    task = run_task(task_of(invoice, CHARGE))

    assert (task.status, task.attempts) == (Status.DONE, 3)
    keys = {request.idempotency_key for request in fake_stripe.requests}
    assert len(fake_stripe.requests) == 3 and keys == {f"invoice-{invoice.number}"}
    assert len(fake_stripe.charges) == 1
    assert Payment.objects.get(invoice=invoice).status == Payment.Status.SUCCEEDED


def test_a_refused_connection_is_retried_then_fails_and_a_later_retry_charges_once(
    settings, fake_stripe, django_capture_on_commit_callbacks
):
    invoice = _charged_invoice()
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # discard port: connection refused

    task = run_task(task_of(invoice, CHARGE))

    assert task.status == Status.FAILED
    assert task.message.startswith(
        "Failed after 3 attempts: The payment gateway could not be reached"
    )
    payment = Payment.objects.get(invoice=invoice)
    assert payment.status == Payment.Status.PENDING  # the outcome is unknown: same key next time
    assert payment.error

    settings.STRIPE_API_BASE = fake_stripe.url
    with django_capture_on_commit_callbacks(execute=True):
        post_tasks_retry(task_ids=[task.pk])

    task.refresh_from_db()
    assert task.status == Status.DONE
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert [r.idempotency_key for r in fake_stripe.requests] == [payment.idempotency_key]
    assert len(fake_stripe.charges) == 1


def test_a_charge_whose_answer_was_lost_is_not_charged_twice(fake_stripe):
    """Stripe charged, but the answer never reached us (we crashed): the retry re-asks
    with the same key and Stripe answers with the first charge."""
    invoice = _charged_invoice()
    task = task_of(invoice, CHARGE)
    with pytest.raises(RuntimeError), transaction.atomic():
        post_task_run(task_id=task.pk)
        raise RuntimeError("the worker died before committing")
    assert len(fake_stripe.charges) == 1 and not Payment.objects.exists()

    run_task(task)

    assert len(fake_stripe.charges) == 1
    assert {r.idempotency_key for r in fake_stripe.requests} == {f"invoice-{invoice.number}"}
    invoice.refresh_from_db()
    assert invoice.is_paid


def test_retry_after_a_decline_charges_again_under_a_new_key(
    fake_stripe, django_capture_on_commit_callbacks
):
    fake_stripe.decline = True
    invoice = _charged_invoice()
    task = run_task(task_of(invoice, CHARGE))
    fake_stripe.decline = False  # the customer updated their card

    with django_capture_on_commit_callbacks(execute=True):
        post_tasks_retry(task_ids=[task.pk])

    task.refresh_from_db()
    assert task.status == Status.DONE
    assert [p.idempotency_key for p in Payment.objects.filter(invoice=invoice)] == [
        payment_idempotency_key(invoice.number, 1),
        payment_idempotency_key(invoice.number, 2),
    ]
    assert len(fake_stripe.charges) == 1


def test_a_processing_payment_is_followed_until_it_succeeds(fake_stripe):
    fake_stripe.status = "processing"
    invoice = _charged_invoice()
    task = task_of(invoice, CHARGE)

    assert post_task_run(task_id=task.pk) == Outcome.RETRY
    payment = Payment.objects.get(invoice=invoice)
    assert payment.status == Payment.Status.PROCESSING
    fake_stripe.settle(payment.gateway_reference)

    assert post_task_run(task_id=task.pk) == Outcome.DONE
    assert fake_stripe.requests[-1].method == "GET"
    invoice.refresh_from_db()
    assert invoice.is_paid


def test_a_customer_without_a_saved_payment_method_fails_and_nothing_is_asked(fake_stripe):
    invoice = contract_invoiced(customer=CustomerFactory(name="Cardless"), auto_charge=True)

    task = run_task(task_of(invoice, CHARGE))

    assert task.status == Status.FAILED
    assert task.message == errors.NO_PAYMENT_METHOD.format(customer="Cardless")
    assert fake_stripe.requests == []


def test_a_paid_invoice_is_not_charged_again(fake_stripe):
    invoice = _charged_invoice()
    task = run_task(task_of(invoice, CHARGE))
    PostInvoicingTask.objects.filter(pk=task.pk).update(status=Status.PENDING)

    task = run_task(task)

    assert task.message == errors.ALREADY_PAID
    assert len(fake_stripe.requests) == 1


def test_a_zero_total_is_skipped(fake_stripe):
    invoice = _charged_invoice(unit_price="0")

    task = run_task(task_of(invoice, CHARGE))

    assert task.status == Status.SKIPPED
    assert fake_stripe.requests == []


def test_the_manual_gateway_records_awaiting_payment_by_transfer(settings, fake_stripe):
    settings.BILLING_PAYMENT_GATEWAY = "manual"
    invoice = contract_invoiced(auto_charge=True)

    task = run_task(task_of(invoice, CHARGE))

    assert task.status == Status.DONE
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.gateway, payment.status) == ("manual", Payment.Status.AWAITING_TRANSFER)
    assert payment.gateway_reference == invoice.number
    assert task.message == errors.AWAITING_TRANSFER.format(
        amount="EUR\u00a0150.00", reference=invoice.number
    )
    invoice.refresh_from_db()
    assert not invoice.is_paid
    assert fake_stripe.requests == []


def test_recording_the_transfer_marks_the_invoice_paid(settings):
    settings.BILLING_PAYMENT_GATEWAY = "manual"
    invoice = contract_invoiced(auto_charge=True)
    run_task(task_of(invoice, CHARGE))

    payment = payment_transfer_record(invoice=invoice)

    assert payment.status == Payment.Status.SUCCEEDED
    invoice.refresh_from_db()
    assert invoice.is_paid


def test_the_database_refuses_a_second_succeeded_payment_for_one_invoice():
    invoice = _charged_invoice()
    PaymentFactory(invoice=invoice, status=Payment.Status.SUCCEEDED)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFactory(invoice=invoice, status=Payment.Status.SUCCEEDED)


def test_a_transfer_is_not_recorded_on_a_void_invoice(settings):
    settings.BILLING_PAYMENT_GATEWAY = "manual"
    invoice = contract_invoiced(auto_charge=True)
    run_task(task_of(invoice, CHARGE))
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.VOID)

    with pytest.raises(errors.PermanentError, match="is void"):
        payment_transfer_record(invoice=invoice)

    invoice.refresh_from_db()
    assert not invoice.is_paid


def _credit(invoice, amount: str):
    return credit_note_issue(
        invoice=invoice, amounts={invoice.lines.get().pk: Decimal(amount)}, reason="Discount"
    )


def test_auto_charge_asks_only_what_credit_notes_left_owed(fake_stripe):
    invoice = _charged_invoice()
    _credit(invoice, "41.67")  # 41.67 + 8.33 tax: 50.00 of 150.00 taken back

    task = run_task(task_of(invoice, CHARGE))

    assert task.status == Status.DONE
    (request,) = fake_stripe.requests
    assert request.params["amount"] == "10000"  # 100.00 EUR in cents
    assert Payment.objects.get(invoice=invoice).amount == Decimal("100.00")


def test_a_fully_credited_invoice_is_not_charged(fake_stripe):
    invoice = _charged_invoice()
    _credit(invoice, "125.00")

    task = run_task(task_of(invoice, CHARGE))

    assert task.status == Status.SKIPPED
    assert task.message == errors.NOTHING_OWED.format(number=invoice.number)
    assert fake_stripe.requests == []


def test_a_transfer_received_after_a_credit_records_what_was_still_owed(settings):
    settings.BILLING_PAYMENT_GATEWAY = "manual"
    invoice = contract_invoiced(auto_charge=True)
    run_task(task_of(invoice, CHARGE))  # awaiting 150.00
    _credit(invoice, "41.67")

    payment = payment_transfer_record(invoice=invoice)

    assert (payment.status, payment.amount) == (Payment.Status.SUCCEEDED, Decimal("100.00"))
    invoice.refresh_from_db()
    assert invoice.is_paid


def test_no_transfer_is_recorded_on_an_invoice_credited_in_full(settings):
    settings.BILLING_PAYMENT_GATEWAY = "manual"
    invoice = contract_invoiced(auto_charge=True)
    run_task(task_of(invoice, CHARGE))
    _credit(invoice, "125.00")

    with pytest.raises(errors.PermanentError) as refused:
        payment_transfer_record(invoice=invoice)

    assert str(refused.value) == errors.NOTHING_OWED_TRANSFER.format(number=invoice.number)
    invoice.refresh_from_db()
    assert not invoice.is_paid
