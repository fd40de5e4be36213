"""The nightly run writes the same documents to the cent, whatever the engine's speed-ups.

A seeded book (every frequency, both timings, offsets, prorated lines and contract ends,
EUR / USD / JPY, several tax rates, quantity changes before and after their cycle was
invoiced, a closed posting period) is generated over two nights; a canonical digest of
every document and line is compared with the one the engine wrote before the issue-17
optimisations (computed on commit 1e313c1 and kept here). A different digest means the
engine now bills differently: find out why before touching the constant.
"""

import datetime
import hashlib
import random
from decimal import Decimal

import pytest

from contracts.models import BillingContract, BillingSettings, ContractChange, ContractLine
from invoicing.models import GenerationJob, Invoice, InvoiceLine
from schedules.models import PostingPeriod
from tests.factories import CustomerFactory
from tests.invoicing.helpers import run_nightly

D = datetime.date
pytestmark = pytest.mark.django_db

SEED = 17
CONTRACTS = 180
FIRST_NIGHT = D(2026, 3, 2)
SECOND_NIGHT = D(2026, 3, 3)
EXPECTED_DIGEST = "f0ba6b7a81f511eed5563ed76925df7271310fdc1b20ef8d06cc4a5650062ccb"
EXPECTED_ROWS = 3397
FREQUENCIES = ["monthly", "quarterly", "semi_annual", "annual", "triennial"]
CURRENCIES = ["EUR", "USD", "JPY"]
TAX_RATES = [Decimal("0"), Decimal("5.5"), Decimal("7"), Decimal("19"), Decimal("20")]


def _day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange(max(0, (last - first).days) + 1))


def _price(rng: random.Random, currency: str) -> Decimal:
    cents = Decimal(rng.randrange(1, 200_000))
    return cents if currency == "JPY" else cents / 100


def _quantities(rng: random.Random, changes: int) -> list[Decimal]:
    return [
        Decimal(rng.randrange(0, 40)) + Decimal(rng.choice(["0", "0.5", "0.25"]))
        for _ in range(changes + 1)
    ]


def _line(rng, contract, position, start, currency) -> None:
    """A line, sometimes starting or ending mid-way, with a chain of quantity changes
    while both the line and its contract run."""
    line_start = _day(rng, start, D(2025, 12, 31)) if rng.random() < 0.2 else None
    line_end = _day(rng, D(2025, 6, 1), D(2026, 6, 30)) if rng.random() < 0.15 else None
    if line_start and line_end and line_end < line_start:
        line_start, line_end = line_end, line_start
    until = min(d for d in (D(2026, 2, 27), contract.end_date, line_end) if d is not None)
    since = max(line_start or start, start)
    dates = sorted({_day(rng, since, until) for _ in range(rng.choice([0, 0, 1, 2]))})
    dates = [d for d in dates if since < d <= until]
    quantities = _quantities(rng, len(dates))
    line = ContractLine.objects.create(
        contract=contract,
        position=position,
        description=f"Product {contract.number}/{position}",
        quantity=quantities[-1],
        unit_price=_price(rng, currency),
        tax_rate=rng.choice(TAX_RATES),
        start_date=line_start,
        end_date=line_end,
    )
    for effective, before, after in zip(dates, quantities, quantities[1:], strict=False):
        ContractChange.objects.create(
            line=line, effective_date=effective, quantity_before=before, quantity_after=after
        )


def seeded_book_create() -> None:
    rng = random.Random(SEED)
    customer = CustomerFactory(name="Digest customer")
    for i in range(CONTRACTS):
        currency = CURRENCIES[i % 3]
        start = _day(rng, D(2023, 1, 1), D(2026, 2, 28))
        if i % 11 == 0:
            start = D(2024, rng.choice([1, 3, 5, 8, 10, 12]), 31)  # month-end starts
        ends = rng.random() < 0.2
        contract = BillingContract.objects.create(
            number=f"DIG-{i:04d}",
            customer=customer,
            name=f"Digest {i}",
            start_date=start,
            end_date=_day(rng, start, D(2026, 9, 30)) if ends else None,
            billing_frequency=FREQUENCIES[i % 5],
            billing_timing=["advance", "arrears"][(i // 5) % 2],
            invoice_offset_days=rng.choice([-5, -1, 0, 1, 1, 1, 3, 10]),
            currency=currency,
            payment_terms_days=rng.choice([0, 14, 30, 45]),
            status=BillingContract.Status.ACTIVE,
        )
        for position in range(rng.choice([1, 2, 3, 4])):
            _line(rng, contract, position, start, currency)


def changes_after_invoicing_add() -> None:
    """Quantity changes inside cycles already invoiced: the second night bills them on
    change-log invoices (increases) and credit notes (decreases)."""
    rng = random.Random(SEED + 1)
    lines = list(
        # Changes the contract editor would accept: the line and its contract still run.
        ContractLine.objects.filter(
            contract__number__startswith="DIG-",
            contract__end_date__isnull=True,
            end_date__isnull=True,
            contract__start_date__lt=D(2026, 1, 1),
        ).order_by("contract__number", "position")
    )
    for line in rng.sample(lines, 40):
        after = line.quantity + rng.choice([Decimal(-1), Decimal(2), Decimal(5)])
        if after < 0:
            continue
        ContractChange.objects.create(
            line=line,
            effective_date=_day(rng, D(2026, 2, 1), D(2026, 3, 2)),
            quantity_before=line.quantity,
            quantity_after=after,
        )
        line.quantity = after
        line.save(update_fields=["quantity"])


def documents_digest() -> tuple[str, int]:
    """A digest of every document and its lines, independent of ids and write order."""
    rows = []
    for invoice in Invoice.objects.select_related("contract").order_by("number"):
        rows.append(
            "|".join(
                str(value)
                for value in (
                    invoice.number,
                    invoice.document,
                    invoice.kind,
                    invoice.contract.number,
                    invoice.period_start,
                    invoice.period_end,
                    invoice.invoice_date,
                    invoice.due_date,
                    invoice.currency,
                    invoice.subtotal,
                    invoice.tax_total,
                    invoice.total,
                    invoice.status,
                    invoice.credited_total,
                    invoice.generated_via,
                    invoice.schedule.cycle_index if invoice.schedule_id else "-",
                )
            )
        )
    lines = InvoiceLine.objects.select_related("invoice").order_by("invoice__number", "position")
    for line in lines:
        rows.append(
            "|".join(
                str(value)
                for value in (
                    line.invoice.number,
                    line.position,
                    line.description,
                    line.quantity,
                    line.unit_price,
                    line.period_start,
                    line.period_end,
                    line.proration,
                    line.amount,
                    line.tax_rate,
                    line.tax_amount,
                )
            )
        )
    return hashlib.sha256("\n".join(rows).encode()).hexdigest(), len(rows)


def test_a_seeded_book_generates_the_same_documents_to_the_cent_as_before_the_speed_ups():
    seeded_book_create()
    PostingPeriod.objects.create(month=D(2026, 1, 1), closed_at=datetime.datetime.now(datetime.UTC))
    run_nightly(FIRST_NIGHT)
    changes_after_invoicing_add()
    settings = BillingSettings.load()
    settings.change_log_nightly = True
    settings.save()
    run_nightly(SECOND_NIGHT)

    digest, rows = documents_digest()

    assert Invoice.objects.filter(kind=Invoice.Kind.CHANGE_LOG).exists()
    assert Invoice.objects.exclude(document=Invoice.Document.INVOICE).exists()
    # The closed January moved some invoices to the first open day.
    assert Invoice.objects.filter(invoice_date=D(2026, 2, 1)).exists()
    assert not GenerationJob.objects.filter(status=GenerationJob.Status.FAILED).exists()
    assert (digest, rows) == (EXPECTED_DIGEST, EXPECTED_ROWS)
