"""The demo book: believable customers and contracts to try the back office with, and
their history up to yesterday.

Deterministic: one random.Random(seed) makes every choice of the book in a fixed order,
and a second one from the same seed every payment, so the same seed and the same `today`
give the same rows (ids, invoice numbers of an appended book, and timestamps aside).
Set-based: rows go in with bulk_create in batches, schedules with the set-based
schedules_keep_ahead. The history is the product's own work (demo/history.py).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from billing_site.errors import BillingError
from contracts.models import BillingContract, ContractLine, Customer
from demo.history import history_create
from schedules import cycles
from schedules.services import schedules_keep_ahead

# Rows per INSERT. Measured: 10,000 contracts with their ~25,000 lines and 4,000 customers
# go in in about 2 s on PostgreSQL; the schedules after them are schedules_keep_ahead's work.
BATCH_SIZE = 1_000

CONTRACTS_NOT_POSITIVE = "The demo book needs at least one contract; {count} was asked for."

Frequency = BillingContract.Frequency
Timing = BillingContract.Timing
Status = BillingContract.Status


@dataclass(frozen=True)
class Country:
    name: str
    currency: str
    tax_rates: tuple[int, ...]
    cities: tuple[str, ...]
    legal_form: str
    code: str  # ISO 3166, the customer's country
    language: str  # of the documents its customers receive


@dataclass(frozen=True)
class Product:
    description: str
    monthly_price: Decimal  # EUR per unit and month
    quantities: tuple[str, ...]
    reduced_tax: bool = False  # training: the reduced rate where the country has one


# (country, weight): EUR is most of the book.
COUNTRIES = (
    (Country("Germany", "EUR", (19, 7), ("Berlin", "Hamburg", "Munich", "Cologne"), "GmbH", "DE", "de"), 24),
    (Country("France", "EUR", (20,), ("Paris", "Lyon", "Lille"), "SAS", "FR", "fr"), 12),
    (Country("Austria", "EUR", (20,), ("Vienna", "Graz"), "GmbH", "AT", "de"), 6),
    (Country("Netherlands", "EUR", (0,), ("Amsterdam", "Utrecht"), "B.V.", "NL", "en"), 8),
    (Country("Ireland", "EUR", (0,), ("Dublin", "Cork"), "Ltd", "IE", "en"), 5),
    (Country("United States", "USD", (0, 7), ("Austin", "Boston", "Denver"), "Inc.", "US", "en"), 20),
    (Country("United Kingdom", "GBP", (20,), ("London", "Manchester", "Leeds"), "Ltd", "GB", "en"), 12),
    (Country("Japan", "JPY", (0,), ("Tokyo", "Osaka"), "K.K.", "JP", "en"), 6),
    (Country("Switzerland", "CHF", (7, 0), ("Zurich", "Geneva", "Basel"), "AG", "CH", "de"), 7),
)  # fmt: skip
EUR_RATES = {"EUR": Decimal(1), "USD": Decimal("1.08"), "GBP": Decimal("0.85"),
             "JPY": Decimal(162), "CHF": Decimal("0.94")}  # fmt: skip
# Longer commitments pay less per month.
DISCOUNTS = {
    1: Decimal(1),
    3: Decimal(1),
    6: Decimal("0.97"),
    12: Decimal("0.9"),
    36: Decimal("0.8"),
}

NAME_STEMS = ("Northwind", "Bluefin", "Alder", "Kestrel", "Granite", "Lumen", "Harbour",
              "Meridian", "Sable", "Juniper", "Orchid", "Tundra", "Vertex", "Copperleaf",
              "Halcyon", "Ironbark", "Larkspur", "Marlow", "Quill", "Riverstone", "Saffron",
              "Tamarind", "Wexford", "Zephyr")  # fmt: skip
NAME_TRADES = ("Logistics", "Analytics", "Dental Group", "Architects", "Foods", "Retail",
               "Engineering", "Media", "Health", "Robotics", "Legal", "Travel", "Energy",
               "Textiles", "Labs")  # fmt: skip
STREETS = (
    "Market Street",
    "Station Road",
    "Harbour Lane",
    "Mill Way",
    "Park Avenue",
    "High Street",
)

PLANS = (
    (Product("Platform subscription – Starter plan", Decimal("149.00"), ("1",)), 40),
    (Product("Platform subscription – Business plan", Decimal("490.00"), ("1",)), 40),
    (Product("Platform subscription – Enterprise plan", Decimal("1850.00"), ("1",)), 20),
)
ADD_ONS = (
    Product("User seat – Standard", Decimal("12.50"), ("5", "10", "25", "40", "120")),
    Product("User seat – Professional", Decimal("29.90"), ("3", "10", "15", "50")),
    Product("Premium support (24/7)", Decimal("350.00"), ("1",)),
    Product("Data storage, per 100 GB", Decimal("8.75"), ("2", "5", "10", "30")),
    Product("API requests, per 1,000", Decimal("0.0425"), ("250", "1200", "8000", "40000")),
    Product("SMS notifications, per message", Decimal("0.0675"), ("500", "2000", "15000")),
    Product("Single sign-on add-on", Decimal("150.00"), ("1",)),
    Product("Audit log retention (7 years)", Decimal("95.00"), ("1",)),
    Product("Sandbox environment", Decimal("220.00"), ("1", "2")),
    Product("E-invoicing connector", Decimal("75.00"), ("1",)),
    Product("Consulting hours (prepaid block)", Decimal("160.00"), ("2.5", "7.5", "12")),
    Product("Onboarding and training retainer", Decimal("480.00"), ("1",), reduced_tax=True),
)
FREQUENCY_WEIGHTS = {Frequency.MONTHLY: 45, Frequency.QUARTERLY: 20, Frequency.SEMI_ANNUAL: 10,
                     Frequency.ANNUAL: 20, Frequency.TRIENNIAL: 5}  # fmt: skip
CADENCE = {
    Frequency.MONTHLY: "monthly",
    Frequency.QUARTERLY: "quarterly",
    Frequency.SEMI_ANNUAL: "half-yearly",
    Frequency.ANNUAL: "yearly",
    Frequency.TRIENNIAL: "every three years",
}
# Start dates are drawn as (random ** GROWTH) of two years back: more recent signings than
# old ones, as in a growing business. It also sets the seed's time: every history invoice
# costs a charge and a recorded transfer through the services, about 7 ms each. Measured on
# 2 cores, default book: 2 gives ~750 invoices in ~11 s; an even spread (1) ~1,300 in ~21 s.
GROWTH = 2
STATUS_WEIGHTS = {Status.ACTIVE: 80, Status.DRAFT: 10, Status.CANCELLED: 5, Status.ENDED: 5}
OFFSET_WEIGHTS = {1: 40, 0: 15, 2: 8, 3: 8, 5: 7, -2: 7, -3: 8, -5: 7}
# The first contracts walk through every frequency x timing, so even a small book has all.
EVERY_TERM = [(f, t) for t in Timing for f in Frequency]
# A book larger than that ends with a contract signed a week or two ago whose last add-on
# sales has not priced yet: generation refuses its first invoice, and last night's run
# shows the product's own reason on the dashboard.
UNPRICED_SIGNED_DAYS_AGO = (7, 20)


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _months(frequency: str) -> int:
    return cycles.Frequency(frequency).months


@dataclass(frozen=True)
class DemoBook:
    """A demo book built in memory: the rows demo_book_create saves."""

    customers: list[Customer]
    contracts: list[BillingContract]
    lines: list[ContractLine]


def demo_book_build(*, contracts: int, seed: int, today: date, first_number: int = 1) -> DemoBook:
    """The customers, contracts and lines of a demo book, unsaved; numbered from `first_number`."""
    if contracts < 1:
        raise BillingError(CONTRACTS_NOT_POSITIVE.format(count=contracts))
    rng = random.Random(seed)
    customers = _customers_build(rng, max(1, contracts * 2 // 5))
    unpriced = contracts - 1 if contracts > len(EVERY_TERM) else None
    book = [
        _contract_build(
            rng, index, first_number + index, rng.choice(customers), today, index == unpriced
        )
        for index in range(contracts)
    ]
    return DemoBook(
        customers=[customer for customer, _ in customers],
        contracts=[entry[0] for entry in book],
        lines=[line for entry in book for line in _lines_build(rng, *entry)],
    )


@transaction.atomic
def demo_book_create(*, contracts: int, seed: int, today: date) -> int:
    """Create `contracts` demo contracts with customers, lines, schedules and their history
    until yesterday; return the count."""
    book = demo_book_build(
        contracts=contracts, seed=seed, today=today, first_number=_next_contract_number()
    )
    Customer.objects.bulk_create(book.customers, batch_size=BATCH_SIZE)
    BillingContract.objects.bulk_create(book.contracts, batch_size=BATCH_SIZE)
    ContractLine.objects.bulk_create(book.lines, batch_size=BATCH_SIZE)
    schedules_keep_ahead(as_of=today)
    active = [contract.pk for contract in book.contracts if contract.status == Status.ACTIVE]
    history_create(random.Random(f"history-{seed}"), active, today)
    return len(book.contracts)


def _customers_build(rng: random.Random, count: int) -> list[tuple[Customer, Country]]:
    customers, used = [], set()
    countries, weights = zip(*COUNTRIES, strict=True)
    for _ in range(count):
        country = rng.choices(countries, weights=weights)[0]
        city = rng.choice(country.cities)
        stem, trade = rng.choice(NAME_STEMS), rng.choice(NAME_TRADES)
        name = f"{stem} {trade} {country.legal_form}"
        if name in used:
            name = f"{stem} {trade} {city} {country.legal_form}"
        suffix = 2
        while name in used:
            name, suffix = f"{stem} {trade} {suffix} {country.legal_form}", suffix + 1
        used.add(name)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{stem} {trade}".lower())
        address = f"{rng.randint(1, 180)} {rng.choice(STREETS)}\n{city}\n{country.name}"
        customer = Customer(
            name=name,
            billing_email=f"accounts@{slug}.example",
            address=address,
            country=country.code,
            language=country.language,
        )
        customers.append((customer, country))
    return customers


def _next_contract_number() -> int:
    numbers = BillingContract.objects.filter(number__regex=r"^BC-[0-9]+$").values_list(
        "number", flat=True
    )
    return max((int(number[3:]) for number in numbers), default=0) + 1


def _contract_build(
    rng: random.Random,
    index: int,
    number: int,
    buyer: tuple[Customer, Country],
    today: date,
    unpriced: bool,
) -> tuple[BillingContract, Country, Product, bool]:
    """Contract `index` of the book, with its customer's country, its plan (the first line)
    and whether its last add-on is still unpriced."""
    customer, country = buyer
    if index < len(EVERY_TERM):
        (frequency, timing), status = EVERY_TERM[index], Status.ACTIVE
    elif unpriced:
        frequency, timing, status = Frequency.MONTHLY, Timing.ADVANCE, Status.ACTIVE
    else:
        frequency = _pick(rng, FREQUENCY_WEIGHTS)
        timing = Timing.ADVANCE if rng.random() < 0.7 else Timing.ARREARS
        status = _pick(rng, STATUS_WEIGHTS)
    if unpriced:
        start, end = today - timedelta(days=rng.randint(*UNPRICED_SIGNED_DAYS_AGO)), None
    else:
        start, end = _contract_dates(rng, frequency, status, today)
    plan = rng.choices([plan for plan, _ in PLANS], weights=[w for _, w in PLANS])[0]
    contract = BillingContract(
        number=f"BC-{number:06d}",
        customer=customer,
        name=f"{plan.description.split('– ')[1].capitalize()}, billed {CADENCE[frequency]}",
        start_date=start,
        end_date=end,
        billing_frequency=frequency,
        billing_timing=timing,
        invoice_offset_days=_pick(rng, OFFSET_WEIGHTS),
        currency=country.currency,
        payment_terms_days=rng.choice((14, 30, 30, 30, 45, 60)),
        status=status,
        auto_send=rng.random() < 0.6,
        auto_charge=rng.random() < 0.35,
        # Drawn either way, so that the rest of the book does not depend on the setting.
        auto_sync=(rng.random() < 0.5) and bool(settings.ACCOUNTING_WEBHOOK_URL),
    )
    return contract, country, plan, unpriced


def _start_date(rng: random.Random, today: date) -> date:
    """Spread over the last two years, more of them recent (a growing business), with the
    month ends that make cycle math interesting."""
    roll = rng.random()
    month = (today - relativedelta(months=1 + int(23 * rng.random() ** GROWTH))).replace(day=1)
    if roll < 0.3:
        return month
    if roll < 0.45:  # the 29th to the 31st, or February's last day
        last_day = (month + relativedelta(months=1) - timedelta(days=1)).day
        return month.replace(day=min(rng.choice((29, 30, 31)), last_day))
    if roll < 0.5:
        return date(today.year - rng.randint(1, 2), 1, 31)
    return today - timedelta(days=int(730 * rng.random() ** GROWTH))


def _contract_dates(
    rng: random.Random, frequency: str, status: str, today: date
) -> tuple[date, date | None]:
    months = _months(frequency)
    if status == Status.ENDED:  # a fixed term that ran out
        end = today - timedelta(days=rng.randint(1, 120))
        terms = rng.randint(1, max(1, 24 // months))
        return end + timedelta(days=1) - relativedelta(months=months * terms), end
    if status == Status.DRAFT and rng.random() < 0.5:  # still being signed
        return today + timedelta(days=rng.randint(1, 60)), None
    start = _start_date(rng, today)
    if status == Status.CANCELLED:
        return start, start + timedelta(days=rng.randint(0, max(0, (today - start).days)))
    if rng.random() < 0.2:  # a fixed term still running
        terms = 1
        while start + relativedelta(months=months * terms) <= today:
            terms += 1
        terms += rng.randint(0, 2)
        return start, start + relativedelta(months=months * terms) - timedelta(days=1)
    return start, None


def _lines_build(
    rng: random.Random, contract: BillingContract, country: Country, plan: Product, unpriced: bool
) -> list[ContractLine]:
    products = [plan, *rng.sample(ADD_ONS, rng.randint(1 if unpriced else 0, 3))]
    months = _months(contract.billing_frequency)
    lines = []
    for position, product in enumerate(products, start=1):
        price = _unit_price(product, months, contract.currency)
        if contract.status == Status.DRAFT and rng.random() < 0.3:
            price = None  # still being priced
        dated = position > 1
        if unpriced and position == len(products):
            price, dated = None, False  # sold with the contract, its price still to be agreed
        tax_rate = country.tax_rates[-1] if product.reduced_tax else country.tax_rates[0]
        line_start, line_end = _line_dates(rng, contract) if dated else (None, None)
        lines.append(
            ContractLine(
                contract=contract,
                position=position,
                description=product.description,
                quantity=Decimal(rng.choice(product.quantities)),
                unit_price=price,
                tax_rate=Decimal(tax_rate),
                start_date=line_start,
                end_date=line_end,
            )
        )
    return lines


def _unit_price(product: Product, months: int, currency: str) -> Decimal:
    """Price per unit and billing cycle: whole yen, otherwise 2 decimals (4 for metered items)."""
    price = product.monthly_price * months * DISCOUNTS[months] * EUR_RATES[currency]
    places = 0 if currency == "JPY" else -product.monthly_price.as_tuple().exponent
    return price.quantize(Decimal(1).scaleb(-places))


def _line_dates(rng: random.Random, contract: BillingContract) -> tuple[date | None, date | None]:
    """Now and then an add-on that starts or stops part-way through the contract."""
    roll = rng.random()
    last = contract.end_date
    if roll < 0.12:
        start = contract.start_date + timedelta(days=rng.randint(10, 300))
        return (start, None) if last is None or start <= last else (None, None)
    if roll < 0.2:
        end = contract.start_date + timedelta(days=rng.randint(30, 400))
        return (None, end) if last is None or end < last else (None, None)
    return None, None


def demo_admin_ensure(*, username: str, password: str) -> bool:
    """Create a superuser `username` with `password` unless that user exists; True if created."""
    users = get_user_model().objects
    if users.filter(username=username).exists():
        return False
    users.create_superuser(username=username, email=f"{username}@example.com", password=password)
    return True
