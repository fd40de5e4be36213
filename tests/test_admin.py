"""The admin: every model renders, generated data stays read-only, lists scale."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format

from contracts.models import BillingContract, BillingSettings, ContractChange
from invoicing.models import (
    GenerationJob,
    GenerationRun,
    Invoice,
    InvoiceNumberSequence,
)
from schedules.models import BillingSchedule
from schedules.services import schedules_keep_ahead
from tests.factories import (
    AdminFactory,
    BillingContractFactory,
    ContractChangeFactory,
    ContractLineFactory,
    CustomerFactory,
    GenerationJobFactory,
    GenerationRunFactory,
    InvoiceFactory,
    InvoiceLineFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 3, 15)


def admin_url(obj_or_model, view: str = "changelist", *args) -> str:
    meta = obj_or_model._meta
    if view in ("change", "delete") and not args:
        args = (obj_or_model.pk,)
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser_client(client):
    client.force_login(AdminFactory())
    return client


@pytest.fixture
def billing():
    """One of everything: a contract with a line, a change, schedules, a replaced and a
    live invoice with a line, a numbering row, and the bulk run and job that made it."""
    admin = AdminFactory()
    contract = BillingContractFactory(customer=CustomerFactory(name="Acme Widgets"))
    line = ContractLineFactory(contract=contract, description="Gold seats")
    change = ContractChangeFactory(line=line, changed_by=admin)
    schedules_keep_ahead(as_of=AS_OF, contract_ids=[contract.pk])
    schedule = contract.schedules.get(cycle_index=0)
    run = GenerationRunFactory(trigger="bulk", as_of_date=AS_OF, requested_by=admin)
    job = GenerationJobFactory(run=run, contract=contract, status="succeeded")
    old = InvoiceFactory(schedule=schedule, number="INV-000001", status=Invoice.Status.REPLACED)
    invoice = InvoiceFactory(
        schedule=schedule, number="INV-000002", replaces=old, job=job, generated_by=admin
    )
    InvoiceLineFactory(invoice=invoice, contract_line=line, description="Gold seats, January")
    return {
        "customer": contract.customer,
        "contract": contract,
        "change": change,
        "schedule": schedule,
        "invoice": invoice,
        "old_invoice": old,
        "sequence": InvoiceNumberSequence.objects.create(prefix="INV-", last_number=2),
        "run": run,
        "job": job,
        "settings": BillingSettings.load(),
    }


LISTED = ["customer", "contract", "change", "schedule", "invoice", "sequence", "run", "job"]


@pytest.mark.parametrize("name", LISTED)
def test_changelist_renders_and_lists_the_row(superuser_client, billing, name):
    obj = billing[name]
    response = superuser_client.get(admin_url(obj))
    assert response.status_code == 200
    assert obj in response.context["cl"].result_list


@pytest.mark.parametrize("name", [*LISTED, "old_invoice", "settings"])
def test_change_page_renders(superuser_client, billing, name):
    obj = billing[name]
    response = superuser_client.get(admin_url(obj, "change"))
    assert response.status_code == 200
    assert response.context["original"] == obj


def test_contract_page_shows_lines_change_log_schedules_and_invoices(superuser_client, billing):
    response = superuser_client.get(admin_url(billing["contract"], "change"))
    content = response.content.decode()
    assert 'name="lines-0-quantity_effective_from"' in content
    assert "Gold seats" in content
    assert "10 → 15" in content  # the change log row
    assert "Active / Pending" in content
    assert "Inactive / Invoiced" in content
    assert admin_url(billing["invoice"], "change") in content
    contract = BillingContract.objects.get(pk=billing["contract"].pk)
    shown = re.search(r'field-next_invoice_date.*?class="readonly">([^<]*)<', content, re.S)
    assert shown[1] == date_format(contract.next_invoice_date)


def test_contract_list_shows_next_invoice_date(superuser_client, billing):
    contract = BillingContract.objects.get(pk=billing["contract"].pk)
    content = superuser_client.get(admin_url(BillingContract)).content.decode()
    assert (
        f'<td class="field-next_invoice_date nowrap">{date_format(contract.next_invoice_date)}</td>'
        in (content)
    )


def test_invoice_page_links_schedule_replacement_and_shows_lines(superuser_client, billing):
    invoice, old = billing["invoice"], billing["old_invoice"]
    content = superuser_client.get(admin_url(invoice, "change")).content.decode()
    assert admin_url(billing["schedule"], "change") in content
    assert admin_url(old, "change") in content
    assert admin_url(billing["job"], "change") in content
    assert "Gold seats, January" in content
    old_content = superuser_client.get(admin_url(old, "change")).content.decode()
    assert admin_url(invoice, "change") in old_content


def test_invoice_page_survives_a_pruned_job(superuser_client, billing):
    # Invoice.job has no database constraint, so the job row can be gone.
    invoice = billing["invoice"]
    Invoice.objects.filter(pk=invoice.pk).update(job_id=987654)
    response = superuser_client.get(admin_url(invoice, "change"))
    assert "job #987654 (deleted)" in response.content.decode()


def test_schedule_list_shows_state_with_the_resulting_invoice(superuser_client, billing):
    content = superuser_client.get(admin_url(BillingSchedule)).content.decode()
    assert "Inactive / Invoiced" in content
    assert "Active / Pending" in content
    assert admin_url(billing["invoice"], "change") in content


def test_run_page_shows_progress_and_links_its_jobs(superuser_client, billing):
    run = billing["run"]
    content = superuser_client.get(admin_url(run, "change")).content.decode()
    assert "1 of 1 done (1 succeeded)" in content
    assert f"run__id__exact={run.pk}" in content
    jobs = superuser_client.get(admin_url(GenerationJob), {"run__id__exact": run.pk})
    assert list(jobs.context["cl"].result_list) == [billing["job"]]


@pytest.mark.parametrize("model", ["customer", "contract"])
def test_add_page_renders(superuser_client, billing, model):
    response = superuser_client.get(admin_url(billing[model], "add"))
    assert response.status_code == 200


def test_settings_are_a_single_row_never_added_twice_nor_deleted(superuser_client, billing):
    row = billing["settings"]
    response = superuser_client.get(admin_url(BillingSettings))
    assert response.status_code == 302
    assert response.url == admin_url(row, "change")
    assert superuser_client.get(admin_url(BillingSettings, "add")).status_code == 403
    assert superuser_client.post(admin_url(row, "delete"), {"post": "yes"}).status_code == 403
    assert BillingSettings.objects.count() == 1


def test_settings_can_be_added_when_missing(superuser_client):
    BillingSettings.objects.all().delete()
    response = superuser_client.get(admin_url(BillingSettings))
    assert response.url == admin_url(BillingSettings, "add")
    assert superuser_client.get(response.url).status_code == 200


def test_settings_refuse_an_offset_outside_the_range(superuser_client, billing):
    row = billing["settings"]
    data = {
        "schedules_ahead": 3,
        "default_offset_days": 400,
        "invoice_number_prefix": "INV-",
        "default_payment_terms_days": 30,
        "seller_name": "Seller",
    }
    response = superuser_client.post(admin_url(row, "change"), data)
    assert response.status_code == 200
    assert "less than or equal to 365" in response.content.decode()
    row.refresh_from_db()
    assert row.default_offset_days == 1


GENERATED = ["change", "schedule", "invoice", "old_invoice", "sequence", "run", "job"]


@pytest.mark.parametrize("name", GENERATED)
def test_generated_data_cannot_be_added_changed_or_deleted(superuser_client, billing, name):
    obj = billing[name]
    before = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    assert superuser_client.get(admin_url(obj, "add")).status_code == 403
    posted = {key: "0" for key in before} | {"status": "void", "number": "HACKED"}
    assert superuser_client.post(admin_url(obj, "change"), posted).status_code == 403
    assert superuser_client.post(admin_url(obj, "delete"), {"post": "yes"}).status_code == 403
    obj.refresh_from_db()
    assert {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields} == before


def test_generated_change_pages_show_no_save_button(superuser_client, billing):
    content = superuser_client.get(admin_url(billing["invoice"], "change")).content.decode()
    assert 'name="_save"' not in content


@pytest.fixture
def two_contracts(billing):
    other = BillingContractFactory(
        customer=CustomerFactory(name="Globex"),
        start_date=datetime.date(2025, 6, 1),
        status=BillingContract.Status.CANCELLED,
        billing_frequency=BillingContract.Frequency.ANNUAL,
        billing_timing=BillingContract.Timing.ARREARS,
        currency="USD",
    )
    return billing["contract"], other


@pytest.mark.parametrize(
    "params",
    [
        {"q": "Acme"},
        {"q": "{number}"},
        {"status__exact": "active"},
        {"billing_frequency__exact": "monthly"},
        {"billing_timing__exact": "advance"},
        {"currency__exact": "EUR"},
        {"start_date__year": "2026"},
    ],
)
def test_contract_search_and_filters(superuser_client, two_contracts, params):
    acme, globex = two_contracts
    params = {key: value.format(number=acme.number) for key, value in params.items()}
    rows = superuser_client.get(admin_url(BillingContract), params).context["cl"].result_list
    assert list(rows) == [acme]


@pytest.mark.parametrize(
    ("params", "included", "excluded"),
    [
        ({"state": "active"}, "pending", "schedule"),
        ({"state": "inactive"}, "schedule", "pending"),
        ({"status__exact": "invoiced"}, "schedule", "pending"),
    ],
)
def test_schedule_state_filters(superuser_client, billing, params, included, excluded):
    objects = billing | {"pending": billing["contract"].schedules.get(cycle_index=1)}
    rows = superuser_client.get(admin_url(BillingSchedule), params).context["cl"].result_list
    assert objects[included] in rows
    assert objects[excluded] not in rows


@pytest.mark.parametrize(
    ("params", "included", "excluded"),
    [
        ({"q": "INV-000002"}, "invoice", "old_invoice"),
        ({"q": "Acme"}, "invoice", None),
        ({"status__exact": "replaced"}, "old_invoice", "invoice"),
        ({"invoice_date__year": "2026"}, "invoice", None),
    ],
)
def test_invoice_search_and_filters(superuser_client, billing, params, included, excluded):
    rows = superuser_client.get(admin_url(Invoice), params).context["cl"].result_list
    assert billing[included] in rows
    assert excluded is None or billing[excluded] not in rows


def _contracts(count):
    BillingContractFactory.create_batch(count)


def _invoiced_schedules(count):
    contracts = BillingContractFactory.create_batch(count)
    schedules_keep_ahead(as_of=AS_OF, contract_ids=[c.pk for c in contracts])
    for contract in contracts:
        InvoiceFactory(
            schedule=contract.schedules.get(cycle_index=0), number=f"INV-{contract.number}"
        )


def _runs_with_a_job_each(count):
    for contract in BillingContractFactory.create_batch(count):
        GenerationJobFactory(
            run=GenerationRunFactory(trigger="bulk", as_of_date=AS_OF),
            contract=contract,
            status="succeeded",
        )


def _changes(count):
    ContractChangeFactory.create_batch(count, changed_by=AdminFactory())


@pytest.mark.parametrize(
    ("model", "make"),
    [
        (BillingContract, _contracts),
        (BillingSchedule, _invoiced_schedules),
        (Invoice, _invoiced_schedules),
        (GenerationRun, _runs_with_a_job_each),
        (GenerationJob, _runs_with_a_job_each),
        (ContractChange, _changes),
    ],
)
def test_changelist_query_count_does_not_grow_with_rows(
    superuser_client, django_assert_max_num_queries, model, make
):
    make(3)
    url = admin_url(model)
    superuser_client.get(url)  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as with_three:
        superuser_client.get(url)
    make(27)
    with django_assert_max_num_queries(len(with_three)):
        response = superuser_client.get(url)
    assert len(response.context["cl"].result_list) >= 30
