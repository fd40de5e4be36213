"""generate_invoices: arguments, summary, exit status, dry run."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from invoicing.models import GenerationRun, Invoice
from schedules.models import BillingSchedule
from tests.factories import ContractLineFactory
from tests.invoicing.helpers import contract_with_line

pytestmark = pytest.mark.django_db


def run_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_invoices", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def nothing_written() -> bool:
    return not (
        Invoice.objects.exists()
        or GenerationRun.objects.exists()
        or BillingSchedule.objects.exists()
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-02-30"], "--date must be a date as YYYY-MM-DD"),
        (["--date", "tomorrow"], "--date must be a date as YYYY-MM-DD"),
        (["--contract", "NO-SUCH"], "Unknown contract number(s): NO-SUCH."),
        (["--contract", "DRAFT-1"], "Only active contracts are invoiced; not active: DRAFT-1."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_writes_nothing(args, message):
    contract_with_line(number="DRAFT-1", status="draft")

    with pytest.raises(CommandError) as refusal:
        run_command(*args)

    assert message in str(refusal.value)
    assert nothing_written()


def test_summary_counts_generated_skipped_and_failed():
    contract_with_line(start_date=datetime.date(2026, 1, 1))
    contract_with_line(start_date=datetime.date(2026, 1, 1))

    out, _ = run_command("--date", "2026-02-02")

    assert "Generated 4 invoice(s) for 2 contract(s) as of 2026-02-02" in out
    assert "generated 2 / skipped 0 / failed 0" in out


def test_a_failed_contract_is_reported_and_the_exit_status_is_1():
    broken = contract_with_line(start_date=datetime.date(2026, 1, 1), number="BROKEN-1")
    ContractLineFactory(contract=broken, unit_price=None, description="To be priced")
    contract_with_line(start_date=datetime.date(2026, 1, 1))

    with pytest.raises(SystemExit) as exit_status:
        run_command("--date", "2026-01-02")

    assert exit_status.value.code == 1
    assert Invoice.objects.count() == 1


def test_contract_option_limits_the_run_to_those_contracts():
    chosen = contract_with_line(start_date=datetime.date(2026, 1, 1), number="ONLY-1")
    other = contract_with_line(start_date=datetime.date(2026, 1, 1))

    run_command("--date", "2026-01-02", "--contract", "ONLY-1")

    assert chosen.invoices.count() == 1
    assert other.invoices.count() == 0


def test_dry_run_prints_what_would_be_generated_and_writes_nothing():
    contract_with_line(
        start_date=datetime.date(2026, 1, 1),
        number="DRY-1",
        quantity="2",
        unit_price="50",
        tax_rate="0",
    )

    out, _ = run_command("--date", "2026-01-02", "--dry-run")

    assert "would generate DRY-1 2026-01-01...2026-01-31 dated 2026-01-02: EUR\u00a0100.00" in out
    assert "Dry run: nothing was written." in out
    assert nothing_written()
