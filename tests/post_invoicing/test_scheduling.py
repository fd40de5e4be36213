"""Recording and queueing tasks: in the generating transaction, set-based, after commit."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing_site.bulk import count_statements
from contracts.models import BillingContract, ContractLine
from invoicing.models import Invoice
from invoicing.post_invoicing.models import PostInvoicingTask
from invoicing.post_invoicing.scheduling import (
    post_invoicing_schedule,
    post_tasks_enqueue,
    post_tasks_requeue_stalled,
    stalled_after,
)
from invoicing.services import generation_run_execute, generation_run_open, invoice_generate
from schedules.services import schedules_keep_ahead
from tests.factories import BillingContractFactory, CustomerFactory
from tests.invoicing.helpers import contract_with_line, run_nightly
from tests.post_invoicing.helpers import FIRST_NIGHT, START, contract_invoiced

Kind = PostInvoicingTask.Kind


def _kinds(invoice) -> set[str]:
    return set(PostInvoicingTask.objects.filter(invoice=invoice).values_list("kind", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("flags", "kinds"),
    [
        ({}, set()),
        ({"auto_send": True}, {Kind.SEND}),
        ({"auto_charge": True, "auto_sync": True}, {Kind.CHARGE, Kind.SYNC}),
        ({"auto_send": True, "auto_charge": True, "auto_sync": True}, {"send", "charge", "sync"}),
    ],
)
def test_the_nightly_run_records_the_tasks_each_contract_asks_for(flags, kinds):
    invoice = contract_invoiced(**flags)

    assert _kinds(invoice) == kinds
    assert set(
        PostInvoicingTask.objects.filter(invoice=invoice).values_list("status", "attempts")
    ) <= {("pending", 0)}


@pytest.mark.django_db
def test_a_generation_s_choices_override_the_contract_s_defaults():
    contract = contract_with_line(start_date=START, auto_send=True, auto_sync=True)
    schedules_keep_ahead(as_of=FIRST_NIGHT, contract_ids=[contract.pk])

    invoice = invoice_generate(
        schedule=contract.schedules.get(cycle_index=0),
        as_of=FIRST_NIGHT,
        post_tasks={"auto_send": False, "auto_charge": True},  # auto_sync: the contract's
    )

    assert _kinds(invoice) == {Kind.CHARGE, Kind.SYNC}


@pytest.mark.django_db
def test_tasks_are_queued_only_once_the_invoices_commit(django_capture_on_commit_callbacks):
    contract = contract_with_line(start_date=START, auto_send=True)

    with django_capture_on_commit_callbacks() as callbacks:
        run_nightly(FIRST_NIGHT, [contract.pk])

    task = PostInvoicingTask.objects.get()
    queued = [c for c in callbacks if getattr(c, "func", None) is post_tasks_enqueue]
    assert [c.keywords["task_ids"] for c in queued] == [[task.pk]]


@pytest.mark.django_db
def test_a_generation_rolled_back_leaves_no_task_and_queues_nothing(
    django_capture_on_commit_callbacks,
):
    contract = contract_with_line(start_date=START, auto_send=True, auto_charge=True)
    schedules_keep_ahead(as_of=FIRST_NIGHT, contract_ids=[contract.pk])

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invoice_generate(schedule=contract.schedules.get(cycle_index=0), as_of=FIRST_NIGHT)
        raise RuntimeError("the request failed after generating")

    assert callbacks == []
    assert not PostInvoicingTask.objects.exists()
    assert not Invoice.objects.exists()


def _book_of(count: int, **flags) -> list[int]:
    """`count` active monthly contracts with a line each, written in bulk."""
    customer = CustomerFactory()
    contracts = BillingContract.objects.bulk_create(
        BillingContractFactory.build(customer=customer, **flags) for _ in range(count)
    )
    ContractLine.objects.bulk_create(
        ContractLine(
            contract=c, description="Seats", quantity=10, unit_price=Decimal("12.50"), tax_rate=20
        )
        for c in contracts
    )
    return [c.pk for c in contracts]


@pytest.mark.slow
def test_a_chunk_of_2000_invoices_records_its_tasks_in_a_constant_number_of_statements(
    db,
):
    _book_of(2000, auto_send=True, auto_charge=True, auto_sync=True)
    run_nightly(FIRST_NIGHT)
    assert PostInvoicingTask.objects.count() == 3 * 2000
    rows = list(Invoice.objects.order_by("id").values_list("id", "contract_id"))
    PostInvoicingTask.objects.all().delete()
    invoice_ids, contract_ids = zip(*rows, strict=True)

    counts = {}
    with transaction.atomic():
        for label, part in (("ten", slice(0, 10)), ("the rest", slice(10, None))):
            with count_statements() as statements:
                post_invoicing_schedule(
                    invoice_ids=invoice_ids[part], contract_ids=contract_ids[part]
                )
            counts[label] = statements[0]
        PostInvoicingTask.objects.all().delete()
        with count_statements() as statements:
            post_invoicing_schedule(
                invoice_ids=invoice_ids,
                contract_ids=contract_ids,
                requested={"auto_send": True, "auto_charge": False, "auto_sync": True},
            )
        counts["chosen by the run"] = statements[0]

    assert counts["ten"] == counts["the rest"] <= 4
    assert counts["chosen by the run"] == counts["ten"] - 1  # no need to read the contracts
    assert PostInvoicingTask.objects.count() == 2 * 2000


@pytest.mark.slow
def test_queueing_thousands_of_tasks_runs_no_database_query(db, redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()  # what earlier tests queued and no worker took
    with CaptureQueriesContext(connection) as queries:
        post_tasks_enqueue(task_ids=range(1, 2001))

    assert len(queries) == 0
    assert client.llen("celery") == 2000
    client.flushdb()


@pytest.mark.django_db
def test_the_sweep_queues_again_only_tasks_pending_for_too_long(
    django_capture_on_commit_callbacks,
):
    fresh = contract_invoiced(auto_send=True)
    lost = contract_invoiced(auto_sync=True)
    done = contract_invoiced(auto_charge=True)
    fresh_updated = PostInvoicingTask.objects.get(invoice=fresh).updated_at
    long_ago = timezone.now() - stalled_after() - datetime.timedelta(minutes=1)
    PostInvoicingTask.objects.filter(invoice__in=[lost, done]).update(updated_at=long_ago)
    PostInvoicingTask.objects.filter(invoice=done).update(status="done")

    with django_capture_on_commit_callbacks() as callbacks:
        assert post_tasks_requeue_stalled() == 1

    (queued,) = callbacks
    assert queued.keywords["task_ids"] == [PostInvoicingTask.objects.get(invoice=lost).pk]
    assert PostInvoicingTask.objects.get(invoice=lost).updated_at > long_ago
    # Recent: its message is presumably still on its way, or waiting for its retry.
    assert PostInvoicingTask.objects.get(invoice=fresh).updated_at == fresh_updated


def test_the_backoff_doubles_with_each_retry_up_to_its_cap(settings):
    from invoicing.post_invoicing.tasks import retry_delay

    settings.POST_INVOICING_RETRY_BASE_SECONDS = 30
    settings.POST_INVOICING_RETRY_MAX_SECONDS = 3600

    for retries, ceiling in [(0, 30), (1, 60), (2, 120), (6, 1920), (7, 3600), (20, 3600)]:
        delays = [retry_delay(retries) for _ in range(50)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays), retries


@pytest.mark.django_db
def test_a_run_opened_with_its_own_post_tasks_overrides_the_contracts_flags():
    asks_for_everything = contract_with_line(
        start_date=START, auto_send=True, auto_charge=True, auto_sync=True
    )
    asks_for_nothing = contract_with_line(start_date=START)
    run = generation_run_open(
        as_of=FIRST_NIGHT,
        contract_ids=[asks_for_everything.pk, asks_for_nothing.pk],
        post_tasks={"auto_charge": True},
    )
    generation_run_execute(run)

    assert run.parameters["post_tasks"] == {
        "auto_send": False,
        "auto_charge": True,
        "auto_sync": False,
    }
    kinds = set(
        PostInvoicingTask.objects.filter(invoice__job__run=run).values_list(
            "invoice__contract_id", "kind"
        )
    )
    assert kinds == {(asks_for_everything.pk, Kind.CHARGE), (asks_for_nothing.pk, Kind.CHARGE)}
