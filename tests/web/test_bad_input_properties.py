"""Random and extreme input to every page that reads a form or a query string: never a 500,
and a refusal (a 4xx, or an error or warning message) writes nothing.

The values are built from each form's fields: dates across date.min..date.max and past
them, numbers past their digits, NaN and Infinity, ids past bigint, strings past their
max_length, unicode and null bytes, lists where one value is expected. Each page's
examples run inside a savepoint rolled back afterwards, so every example meets the same book.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.messages import WARNING
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.models import ContractLine
from invoicing.forms import VOID_REASON_MAX_LENGTH
from invoicing.models import Invoice
from tests.factories import GenerationRunFactory
from tests.web.helpers import invoice_cycle, messages_of

pytestmark = pytest.mark.django_db

# Examples per page: enough to meet each kind of extreme value several times, few enough that
# the whole file stays under about a minute on the shared 2-core machine.
EXAMPLES = 40
BIGINT_MAX = 2**63 - 1

EXTREME_DATES = [
    "9999-12-31",
    "0001-01-01",
    "99999-01-01",
    "10000-01-01",
    "0000-00-00",
    "2026-02-30",
    "1899-12-31",
    "9000-12-31",
    "9001-01-01",
    "-2026-01-01",
    "2026-1-1",
    "31/12/9999",
]
EXTREME_NUMBERS = [
    "NaN",
    "-NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e999",
    "1E+100",
    "-0",
    "0.00001",
    "9" * 40,
    "-" + "9" * 40,
    str(BIGINT_MAX),
    str(BIGINT_MAX + 1),
    str(-BIGINT_MAX - 2),
    "12345678.12345",
    "99999999.9999",
    "100000000",
]
EXTREME_TEXT = ["", " ", "\x00", "a\x00b", "x" * 201, "x" * 10_000, "é" * 300, "😀" * 50]

texts = st.one_of(st.sampled_from(EXTREME_TEXT), st.text(max_size=300))
# Each kind mixes ordinary values in, so that an extreme value in one field meets valid
# values in the others and reaches the code behind the form.
dates = st.one_of(
    st.sampled_from(EXTREME_DATES),
    st.dates(min_value=datetime.date.min, max_value=datetime.date.max).map(str),
    st.dates(min_value=datetime.date(2025, 6, 1), max_value=datetime.date(2027, 6, 1)).map(str),
    texts,
)
numbers = st.one_of(
    st.sampled_from(EXTREME_NUMBERS),
    st.decimals(min_value=0, max_value=100, places=2).map(str),
    st.integers(min_value=0, max_value=40).map(str),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    texts,
)
ids = st.one_of(
    st.sampled_from([str(BIGINT_MAX), str(BIGINT_MAX + 1), "9" * 30, "0", "-1"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    texts,
)
ticks = st.sampled_from(["on", "1", "", "off", "false", "0", "\x00"])
LEFT_OUT = st.just("\x01")  # a field the request does not send at all


def one_or_many(values: st.SearchStrategy) -> st.SearchStrategy:
    """A field's value, or several where the page expects one (a tampered form)."""
    return st.one_of(values, values, LEFT_OUT, st.lists(values, min_size=2, max_size=3))


def form_data(**fields: st.SearchStrategy) -> st.SearchStrategy:
    """The form's fields, each with a random or extreme value (or none: "" or left out)."""
    return st.fixed_dictionaries({name: one_or_many(v) for name, v in fields.items()}).map(
        lambda data: {name: value for name, value in data.items() if value != "\x01"}
    )


CONTRACT_FILTERS = {
    "q": texts,
    "status": st.sampled_from(["active", "draft", "bogus"]) | texts,
    "frequency": st.sampled_from(["monthly", "triennial"]) | texts,
    "timing": texts,
    "currency": st.sampled_from(["EUR", "JPY"]) | texts,
    "next_from": dates,
    "next_to": dates,
    "sort": st.sampled_from(["number", "-next_invoice_date"]) | texts,
    "page": numbers,
}


def book_state() -> tuple:
    """Every row of the billing tables, counted, and the values a refusal could change."""
    counts = tuple(
        (model._meta.label, model.objects.count())
        for label in ("contracts", "schedules", "invoicing")
        for model in apps.get_app_config(label).get_models()
    )
    return (
        counts,
        list(ContractLine.objects.order_by("pk").values_list("quantity", flat=True)),
        list(Invoice.objects.order_by("pk").values_list("status", "replaces_id", "paid_at")),
    )


@dataclass
class Tally:
    """What the examples of one page met: how many, which answers, and the 500s."""

    page: str
    tried: int = 0
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    written_when_refused: list[str] = field(default_factory=list)

    def record(self, response, data, *, wrote: bool) -> None:
        self.tried += 1
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            error = response.exc_info[1] if response.exc_info else None
            self.server_errors.append(f"{type(error).__name__}: {error} <- {data!r:.300}")
        elif wrote and _refused(response):
            self.written_when_refused.append(f"{response.status_code} <- {data!r:.300}")

    def check(self) -> None:
        print(f"{self.page}: {self.tried} inputs, answers {dict(self.statuses)}")
        assert not self.server_errors, "\n".join(
            [f"{len(self.server_errors)} x 500 on {self.page}", *self.server_errors[:20]]
        )
        assert not self.written_when_refused, "\n".join(self.written_when_refused[:20])


def _refused(response) -> bool:
    if response.status_code >= 400:
        return True
    # Only this request's messages: earlier ones wait in the client's cookie.
    queued = response.wsgi_request._messages._queued_messages
    return any(message.level >= WARNING for message in queued)


def hammer(client: Client, page: str, method: str, url: str, data_strategy) -> None:
    """Send `EXAMPLES` generated inputs to one page; fail on a 500 or a refusal that wrote."""
    tally = Tally(page)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,  # each run explores afresh: a count per page, not a replay
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=data_strategy)
    def send(data):
        sid = transaction.savepoint()
        try:
            before = book_state()
            response = getattr(client, method)(url, data)
            tally.record(response, data, wrote=book_state() != before)
        finally:
            transaction.savepoint_rollback(sid)

    send()
    tally.check()


@pytest.fixture
def client(manager):
    """A billing manager whose requests answer a 500 instead of raising it."""
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    return client


@pytest.fixture
def invoice(contract):
    return invoice_cycle(contract, 0)


def test_change_quantity_never_answers_500(client, contract):
    line = contract.lines.get()
    url = reverse("contracts:line_quantity", args=[line.pk])
    hammer(client, "line quantity", "post", url, form_data(quantity=numbers, effective_date=dates))


def test_generate_invoice_post_never_answers_500(client, contract, invoice):
    url = reverse("invoicing:generate", args=[contract.pk])
    data = form_data(
        cycle=numbers,
        preview=ticks,
        preview_switch=ticks,
        replace=ticks,
        proceed=ticks,
        fingerprint=texts,
        existing_invoice=ids,
        auto_send=ticks,
        auto_charge=ticks,
        auto_sync=ticks,
    )
    hammer(client, "generate (POST)", "post", url, data)


def test_generate_invoice_page_never_answers_500(client, contract, invoice):
    url = reverse("invoicing:generate", args=[contract.pk])
    data = form_data(cycle=numbers, preview=ticks, preview_switch=ticks, generated=ids)
    hammer(client, "generate (GET)", "get", url, data)


def _bulk_data(contract) -> st.SearchStrategy:
    return form_data(
        tab=st.sampled_from(["regular", "change_log"]) | texts,
        selection=st.sampled_from(["", "matching"]) | texts,
        contracts=st.just(str(contract.pk)) | ids,
        cycle_date=dates,
        period_start=dates,
        period_end=dates,
        replace=ticks,
        confirm_replace=ticks,
        auto_send=ticks,
        auto_charge=ticks,
        auto_sync=ticks,
        **CONTRACT_FILTERS,
    )


def test_bulk_proceed_never_answers_500(client, contract, invoice):
    hammer(client, "bulk (POST)", "post", reverse("invoicing:bulk"), _bulk_data(contract))


def test_bulk_window_never_answers_500(client, contract, invoice):
    hammer(client, "bulk (GET)", "get", reverse("invoicing:bulk"), _bulk_data(contract))


def test_change_log_invoice_never_answers_500(client, contract):
    url = reverse("invoicing:change_log_invoice", args=[contract.pk])
    data = form_data(period_start=dates, period_end=dates, fingerprint=texts)
    hammer(client, "change-log invoice (POST)", "post", url, data)


def test_change_log_preview_never_answers_500(client, contract):
    url = reverse("invoicing:change_log_invoice", args=[contract.pk])
    data = form_data(period_start=dates, period_end=dates)
    hammer(client, "change-log invoice (GET)", "get", url, data)


def test_void_never_answers_500(client, invoice):
    url = reverse("invoicing:invoice_void", args=[invoice.pk])
    hammer(client, "void", "post", url, form_data(reason=texts))


def test_a_too_long_void_reason_says_it_is_too_long_and_voids_nothing(invoice, manager_client):
    url = reverse("invoicing:invoice_void", args=[invoice.pk])

    response = manager_client.post(url, {"reason": "x" * 10_000}, follow=True)

    assert messages_of(response) == [
        f"The reason is too long: at most {VOID_REASON_MAX_LENGTH} characters, it has 10000. "
        "Nothing was changed."
    ]
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED


def test_contract_list_never_answers_500(client, contract):
    hammer(client, "contract list", "get", reverse("contracts:list"), form_data(**CONTRACT_FILTERS))


def test_contract_page_never_answers_500(client, contract):
    url = reverse("contracts:detail", args=[contract.pk])
    hammer(client, "contract page", "get", url, form_data(schedules=texts))


def test_schedule_list_never_answers_500(client, contract):
    data = form_data(
        state=st.sampled_from(["active", "inactive"]) | texts,
        status=st.sampled_from(["invoiced", "cancelled"]) | texts,
        q=texts,
        frequency=texts,
        invoice_from=dates,
        invoice_to=dates,
        month_boundary=ticks,
        page=numbers,
    )
    hammer(client, "schedule list", "get", reverse("schedules:list"), data)


def test_runs_never_answer_500(client, contract):
    run = GenerationRunFactory()
    hammer(client, "run list", "get", reverse("invoicing:run_list"), form_data(page=numbers))
    url = reverse("invoicing:run_detail", args=[run.pk])
    data = form_data(status=st.sampled_from(["failed", "queued"]) | texts, page=numbers)
    hammer(client, "run page", "get", url, data)


def test_csv_export_never_answers_500(client, invoice):
    url = reverse("post_invoicing:invoices_csv")
    hammer(client, "invoices CSV", "get", url, form_data(start=dates, end=dates))


def test_invoice_list_and_its_csv_never_answer_500(client, invoice):
    data = form_data(
        q=texts,
        customer=texts,
        customer_id=ids,
        status=st.sampled_from(["issued", "void"]) | texts,
        kind=st.sampled_from(["regular", "change_log"]) | texts,
        currency=st.sampled_from(["EUR", "JPY"]) | texts,
        payment=st.sampled_from(["paid", "unpaid", "overdue"]) | texts,
        issued_from=dates,
        issued_to=dates,
        due_from=dates,
        due_to=dates,
        page=numbers,
    )
    hammer(client, "invoice list", "get", reverse("invoicing:invoice_list"), data)
    hammer(client, "invoice list CSV", "get", reverse("invoicing:invoice_list_csv"), data)


def test_customer_pages_never_answer_500(client, contract):
    customer = contract.customer
    filters = form_data(q=texts, country=st.sampled_from(["FR", "XX"]) | texts, page=numbers)
    hammer(client, "customer list", "get", reverse("customers:list"), filters)
    details = form_data(
        name=texts,
        billing_email=texts,
        address=texts,
        country=st.sampled_from(["FR", "DE", "CH", "XX"]) | texts,
        vat_id=st.sampled_from(["FR40303265045", "DE123456788", "EL094259216"]) | texts,
        language=st.sampled_from(["en", "fr", "tlh"]) | texts,
    )
    hammer(client, "customer create", "post", reverse("customers:create"), details)
    hammer(client, "customer edit", "post", reverse("customers:edit", args=[customer.pk]), details)


def test_offset_editor_never_answers_500(client, contract):
    url = reverse("contracts:offset", args=[contract.pk])
    data = form_data(offset_days=numbers)
    hammer(client, "offset preview", "get", url, data)
    hammer(client, "offset save", "post", url, data)


def test_end_contract_never_answers_500(client, contract, invoice):
    url = reverse("invoicing:contract_end", args=[contract.pk])
    flags = st.sampled_from(["on", "", "1"]) | texts
    data = form_data(end_date=dates, open_ended=flags, fingerprint=texts)
    hammer(client, "end contract preview", "get", url, data)
    hammer(client, "end contract save", "post", url, data)


# Every page whose path carries an id, with the method it answers.
PAGES_WITH_AN_ID = [
    ("contracts:detail", "get"),
    ("contracts:line_quantity", "post"),
    ("invoicing:generate", "get"),
    ("invoicing:generate", "post"),
    ("invoicing:change_log_invoice", "get"),
    ("invoicing:invoice_detail", "get"),
    ("invoicing:invoice_void", "post"),
    ("invoicing:send_again", "post"),
    ("invoicing:transfer_received", "post"),
    ("contracts:offset", "get"),
    ("contracts:offset", "post"),
    ("invoicing:contract_end", "get"),
    ("invoicing:contract_end", "post"),
    ("customers:detail", "get"),
    ("customers:edit", "post"),
    ("invoicing:change_log_replace", "post"),
    ("invoicing:run_detail", "get"),
    ("invoicing:run_retry", "post"),
    ("invoicing:run_resume", "post"),
    ("invoicing:job_detail", "get"),
    ("post_invoicing:invoice_pdf", "get"),
    ("post_invoicing:invoice_xml", "get"),
]


def test_an_id_in_a_path_that_names_no_row_is_not_found(client, contract):
    # One test for all (13 pages x 4 ids): a test per pair spends its time on set-up.
    before = book_state()
    answers = {
        (name, pk): getattr(client, method)(reverse(name, args=[pk])).status_code
        for name, method in PAGES_WITH_AN_ID
        for pk in (0, BIGINT_MAX, BIGINT_MAX + 1, 10**30)
    }

    assert {key: status for key, status in answers.items() if status != 404} == {}
    assert book_state() == before


def _command_arguments(contract) -> st.SearchStrategy:
    generate = st.tuples(
        st.just("generate_invoices"),
        st.sampled_from(["--date", "--cycle-date", "--period-start", "--contract"]),
        dates | st.just(contract.number),
    ).map(lambda call: [*call, "--bulk", "--contract", contract.number, "--dry-run"])
    export = st.tuples(
        st.just("export_invoices_csv"), st.just("--from"), dates, st.just("--to"), dates
    ).map(list)
    return st.one_of(generate, export)


def test_commands_turn_bad_arguments_into_a_command_error(contract, capsys):
    """A command answers bad arguments with CommandError (its usage message), never a
    traceback, and writes nothing when it refuses."""
    tally = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, database=None)
    @given(arguments=_command_arguments(contract))
    def run(arguments):
        before = book_state()
        try:
            call_command(*arguments)
        except CommandError:
            tally["refused"] += 1
            assert book_state() == before, arguments
        except SystemExit as exit:  # generate_invoices: some contract failed
            tally[f"exit {exit.code}"] += 1
        else:
            tally["done"] += 1

    run()
    with capsys.disabled():
        print(f"commands: {sum(tally.values())} inputs, outcomes {dict(tally)}")
