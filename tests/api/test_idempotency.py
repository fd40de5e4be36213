"""Idempotency-Key on generation: the same key and request answer the first response and
never make a second invoice; another request under the key, or one while the first is still
working, is a problem document and does nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from api.models import IdempotencyRecord
from invoicing.models import Invoice
from schedules.models import BillingSchedule
from tests.api.conftest import ApiClient, key_for
from tests.invoicing.helpers import billing_state

pytestmark = pytest.mark.django_db


def generate_url(contract, cycle: int = 2) -> str:
    return f"/api/v1/contracts/{contract.pk}/cycles/{cycle}/generate/"


def test_the_same_key_twice_answers_the_first_response_and_makes_one_invoice(manager_api, contract):
    first = manager_api.post(generate_url(contract), {}, HTTP_IDEMPOTENCY_KEY="k-1")
    again = manager_api.post(generate_url(contract), {}, HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Invoice.objects.filter(contract=contract).count() == 1


def test_without_a_key_a_second_request_is_refused_by_the_rules_not_replayed(manager_api, contract):
    assert manager_api.post(generate_url(contract), {}).status_code == 201

    assert manager_api.post(generate_url(contract), {}).status_code == 422
    assert Invoice.objects.filter(contract=contract).count() == 1


def test_the_same_key_with_another_body_is_a_422_and_does_nothing(manager_api, contract):
    manager_api.post(generate_url(contract), {}, HTTP_IDEMPOTENCY_KEY="k-1")
    before = billing_state()

    response = manager_api.post(
        generate_url(contract), {"replace": True}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    other_path = manager_api.post(generate_url(contract, 3), {}, HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == other_path.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "used for another request" in response.json()["detail"]
    assert billing_state() == before


def test_key_order_and_spacing_do_not_make_another_body(manager_api, contract):
    manager_api.post(
        generate_url(contract), '{"replace": false, "proceed": false}', HTTP_IDEMPOTENCY_KEY="k"
    )

    again = manager_api.post(
        generate_url(contract), '{"proceed":false,"replace":false}', HTTP_IDEMPOTENCY_KEY="k"
    )

    assert again.status_code == 201
    assert Invoice.objects.count() == 1


def test_keys_are_per_user(manager_api, manager, contract):
    from tests.factories import BILLING_MANAGERS, user_in

    colleague = ApiClient(key_for(user_in(BILLING_MANAGERS, username="colleague")))
    manager_api.post(generate_url(contract), {}, HTTP_IDEMPOTENCY_KEY="shared")

    response = colleague.post(generate_url(contract), {}, HTTP_IDEMPOTENCY_KEY="shared")

    assert response.status_code == 422  # not the manager's answer: the rules' refusal
    assert "already has invoice" in response.json()["detail"]


def test_a_refusal_is_not_kept_so_the_key_may_try_again(manager_api, contract):
    refused = manager_api.post(generate_url(contract, 4), {}, HTTP_IDEMPOTENCY_KEY="k")
    assert refused.status_code == 422

    retried = manager_api.post(generate_url(contract, 4), {}, HTTP_IDEMPOTENCY_KEY="k")
    assert retried.status_code == 422
    assert not IdempotencyRecord.objects.exists()


def test_a_request_while_the_keys_first_is_working_is_a_409(manager_api, manager, contract):
    IdempotencyRecord.objects.create(
        user=manager, key="k", method="POST", path=generate_url(contract), body_hash="x"
    )
    before = billing_state()

    response = manager_api.post(generate_url(contract), {}, HTTP_IDEMPOTENCY_KEY="k")

    # Another body than the one working: 422; the same body: 409 in progress.
    assert response.status_code == 422
    record = IdempotencyRecord.objects.get()
    record.body_hash = _hash({})
    record.save()
    assert manager_api.post(generate_url(contract), {}, HTTP_IDEMPOTENCY_KEY="k").status_code == 409
    assert billing_state() == before


def test_a_key_older_than_24_hours_is_forgotten(manager_api, contract):
    manager_api.post(generate_url(contract), {}, HTTP_IDEMPOTENCY_KEY="k")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = manager_api.post(generate_url(contract), {}, HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 422  # done afresh: the rules say it is invoiced already
    assert Invoice.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "clé"])
def test_a_malformed_key_is_a_400(manager_api, contract, key):
    response = manager_api.post(generate_url(contract), {}, HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 400
    assert not Invoice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_make_one_invoice(today):
    from tests.factories import BILLING_MANAGERS, user_in
    from tests.invoicing.helpers import active_contract

    contract = active_contract(as_of=today)
    api = ApiClient(key_for(user_in(BILLING_MANAGERS, username="manager")))
    schedule = BillingSchedule.objects.get(contract=contract, cycle_index=2)
    answers: dict[str, int] = {}

    def first_request():
        try:
            answers["first"] = api.post(
                generate_url(contract), {}, HTTP_IDEMPOTENCY_KEY="k"
            ).status_code
        finally:
            connections.close_all()

    # Hold the cycle's schedule so the first request stops inside its work.
    with transaction.atomic():
        BillingSchedule.objects.select_for_update().get(pk=schedule.pk)
        worker = threading.Thread(target=first_request)
        worker.start()
        _wait_for(lambda: IdempotencyRecord.objects.exists())
        answers["second"] = api.post(
            generate_url(contract), {}, HTTP_IDEMPOTENCY_KEY="k"
        ).status_code
    worker.join(timeout=30)

    assert answers == {"first": 201, "second": 409}
    assert Invoice.objects.filter(contract=contract).count() == 1
    third = api.post(generate_url(contract), {}, HTTP_IDEMPOTENCY_KEY="k")
    assert third.status_code == 201 and third["Idempotent-Replayed"] == "true"


def _wait_for(condition, seconds: float = 10) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _hash(body) -> str:
    import hashlib
    import json

    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
