"""The demo book command: deterministic, complete, set-based, and harmless on bad input."""

import hashlib
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction

from billing_site.errors import BillingError
from contracts.models import BillingContract, ContractLine, Customer
from demo.book import CONTRACTS_NOT_POSITIVE, demo_book_build, demo_book_create
from invoicing.models import GenerationJob, Invoice
from invoicing.post_invoicing.models import Payment, PostInvoicingTask
from schedules.models import BillingSchedule

pytestmark = pytest.mark.django_db

TODAY = "2026-11-23"
CONTRACT_FIELDS = (
    "number",
    "customer__name",
    "customer__billing_email",
    "customer__address",
    "name",
    "start_date",
    "end_date",
    "billing_frequency",
    "billing_timing",
    "invoice_offset_days",
    "currency",
    "payment_terms_days",
    "status",
    "auto_send",
    "auto_charge",
    "auto_sync",
    "next_invoice_date",
)
LINE_FIELDS = (
    "contract__number",
    "position",
    "description",
    "quantity",
    "unit_price",
    "tax_rate",
    "start_date",
    "end_date",
)
SCHEDULE_FIELDS = ("contract__number", "cycle_index", "status", "resulting_invoice__number")
INVOICE_FIELDS = (
    "number",
    "contract__number",
    "period_start",
    "period_end",
    "invoice_date",
    "due_date",
    "total",
    "status",
)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def book_digest() -> str:
    """A digest of the book and its history by natural key: ids and timestamps left out."""
    rows = [
        *BillingContract.objects.order_by("number").values_list(*CONTRACT_FIELDS),
        *ContractLine.objects.order_by("contract__number", "position").values_list(*LINE_FIELDS),
        *BillingSchedule.objects.order_by("contract__number", "cycle_index").values_list(
            *SCHEDULE_FIELDS
        ),
        *[
            (*invoice, paid_at is not None)
            for *invoice, paid_at in Invoice.objects.order_by("number").values_list(
                *INVOICE_FIELDS, "paid_at"
            )
        ],
        *GenerationJob.objects.order_by("contract__number").values_list(
            "run__trigger", "run__as_of_date", "contract__number", "status", "message"
        ),
        *PostInvoicingTask.objects.order_by("invoice__number", "kind").values_list(
            "invoice__number", "kind", "status", "message"
        ),
        *Payment.objects.order_by("invoice__number", "id").values_list(
            "invoice__number", "status", "amount", "idempotency_key"
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def digest_in_a_fresh_database(*args: str) -> str:
    """Seed, digest, and roll back: the next seed starts from an empty database again, its
    contract and invoice numbers included (both series are transactional)."""
    with transaction.atomic():
        seed(*args)
        digest = book_digest()
        transaction.set_rollback(True)
    return digest


def test_same_seed_gives_the_same_book_and_history_in_a_fresh_database():
    first = digest_in_a_fresh_database("--contracts", "40", "--seed", "7", "--today", TODAY)
    assert not Invoice.objects.exists()
    assert digest_in_a_fresh_database("--contracts", "40", "--seed", "7", "--today", TODAY) == first
    assert digest_in_a_fresh_database("--contracts", "40", "--seed", "8", "--today", TODAY) != first
    other_day = digest_in_a_fresh_database(
        "--contracts", "40", "--seed", "7", "--today", "2026-11-24"
    )
    assert other_day != first


def test_book_covers_every_frequency_and_both_timings():
    seed("--contracts", "30", "--today", TODAY)
    contracts = BillingContract.objects.all()
    assert contracts.count() == 30
    assert set(contracts.values_list("billing_frequency", flat=True)) == set(
        BillingContract.Frequency.values
    )
    assert set(contracts.values_list("billing_timing", flat=True)) == set(
        BillingContract.Timing.values
    )


def test_book_is_believable():
    book = demo_book_build(contracts=400, seed=42, today=date(2026, 11, 23))
    contracts, lines = book.contracts, book.lines
    statuses = [contract.status for contract in contracts]
    assert set(statuses) == set(BillingContract.Status.values)
    assert statuses.count("active") > len(statuses) / 2
    currencies = [contract.currency for contract in contracts]
    assert set(currencies) == {"EUR", "USD", "GBP", "JPY", "CHF"}
    assert max(set(currencies), key=currencies.count) == "EUR"
    offsets = [contract.invoice_offset_days for contract in contracts]
    assert set(offsets) == {-5, -3, -2, 0, 1, 2, 3, 5}
    assert max(set(offsets), key=offsets.count) == 1
    assert {contract.start_date.day for contract in contracts} >= {29, 30, 31}
    assert all(c.start_date <= date(2026, 11, 23) for c in contracts if c.status != "draft")
    assert min(c.start_date for c in contracts) < date(2024, 12, 1)  # two years of history
    assert any(contract.end_date for contract in contracts)
    assert {line.tax_rate for line in lines} == {Decimal(r) for r in (0, 7, 19, 20)}
    assert any(line.start_date for line in lines)
    assert any(line.end_date for line in lines)
    for contract in contracts:
        assert 1 <= sum(line.contract is contract for line in lines) <= 4
    jpy_prices = [
        line.unit_price
        for line in lines
        if line.contract.currency == "JPY" and line.unit_price is not None
    ]
    assert jpy_prices and all(price == price.to_integral_value() for price in jpy_prices)


def test_active_contracts_have_schedules_pending_until_their_end_and_others_none():
    seed("--contracts", "50", "--today", TODAY)
    active = BillingContract.objects.active()
    assert active.filter(schedules__status=BillingSchedule.Status.PENDING).exists()
    for contract in active:
        if contract.schedules.filter(status=BillingSchedule.Status.PENDING).exists():
            assert contract.next_invoice_date is not None
        else:  # a fixed term whose last cycle is invoiced already: nothing left to bill
            assert contract.end_date is not None
            statuses = set(contract.schedules.values_list("status", flat=True))
            assert statuses == {BillingSchedule.Status.INVOICED}
    assert not BillingSchedule.objects.exclude(contract__status="active").exists()


def test_if_empty_is_a_no_op_when_contracts_exist():
    seed("--contracts", "10", "--today", TODAY)
    before = book_digest()
    output = seed("--contracts", "50", "--if-empty", "--today", TODAY)
    assert "no demo data seeded" in output
    assert BillingContract.objects.count() == 10
    assert book_digest() == before


def test_if_empty_seeds_an_empty_book():
    seed("--contracts", "5", "--if-empty", "--today", TODAY)
    assert BillingContract.objects.count() == 5


def test_seeding_again_appends_with_new_numbers():
    seed("--contracts", "5", "--today", TODAY)
    seed("--contracts", "5", "--today", TODAY)
    numbers = list(BillingContract.objects.values_list("number", flat=True))
    assert numbers == [f"BC-{n:06d}" for n in range(1, 11)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--contracts", "0"), CONTRACTS_NOT_POSITIVE.format(count=0)),
        (("--contracts", "-3"), CONTRACTS_NOT_POSITIVE.format(count=-3)),
        (("--contracts", "many"), "invalid int value: 'many'"),
        (("--today", "2025-02-30"), "--today must be a date as YYYY-MM-DD, got '2025-02-30'."),
        (("--today", "tomorrow"), "--today must be a date as YYYY-MM-DD, got 'tomorrow'."),
    ],
)
def test_bad_input_raises_command_error_and_writes_nothing(args, message):
    with pytest.raises(CommandError) as raised:
        seed(*args)
    assert message in str(raised.value)
    assert not Customer.objects.exists()
    assert not BillingContract.objects.exists()
    assert not BillingSchedule.objects.exists()


def test_service_refuses_a_book_without_contracts():
    with pytest.raises(BillingError, match="at least one contract"):
        demo_book_create(contracts=0, seed=1, today=date(2026, 11, 23))
    assert not Customer.objects.exists()


def test_demo_admin_is_created_once_and_its_login_printed(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    out = StringIO()
    call_command("ensure_demo_admin", stdout=out)
    assert "username admin, password billing-demo" in out.getvalue()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("billing-demo")
    admin.set_password("changed by its owner")
    admin.save()
    out = StringIO()
    call_command("ensure_demo_admin", stdout=out)
    assert "unless you have changed it" in out.getvalue()
    admin.refresh_from_db()
    assert admin.check_password("changed by its owner")
    assert get_user_model().objects.count() == 1
