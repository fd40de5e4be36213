"""The two billing groups as migrations 0003, 0006 and 0008 leave them: what each may view, edit
and do."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tests.factories import BILLING_MANAGERS, BILLING_VIEWERS, billing_groups_ensure

pytestmark = pytest.mark.django_db


def _permissions(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


READ = {
    "contracts.view_billingcontract",
    "contracts.view_contractline",
    "contracts.view_customer",
    "contracts.view_contractchange",
    "schedules.view_billingschedule",
    "invoicing.view_invoice",
    "invoicing.view_invoiceline",
    "invoicing.view_generationrun",
    "invoicing.view_generationjob",
    "invoicing.view_auditevent",
    "schedules.view_postingperiod",
}


def test_the_migration_created_both_billing_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {BILLING_MANAGERS, BILLING_VIEWERS}


def test_billing_viewers_may_only_view():
    billing_groups_ensure()

    assert _permissions(BILLING_VIEWERS) == READ


def test_billing_managers_may_edit_contracts_generate_and_intervene_after_generation():
    billing_groups_ensure()

    assert _permissions(BILLING_MANAGERS) == READ | {
        "contracts.change_billingcontract",
        "contracts.change_contractline",
        "contracts.change_customer",
        "contracts.add_customer",
        "contracts.add_billingcontract",
        "contracts.add_contractline",
        "invoicing.generate_invoice",
        "invoicing.replace_invoice",
        "invoicing.retry_postinvoicingtask",
        "invoicing.record_transfer",
        "invoicing.issue_credit_note",
        "schedules.close_postingperiod",
    }


def test_the_groups_are_reset_to_exactly_their_permissions_when_created_again():
    billing_groups_ensure()
    Group.objects.get(name=BILLING_VIEWERS).permissions.clear()

    billing_groups_ensure()

    assert _permissions(BILLING_VIEWERS) == READ


def test_no_group_may_reopen_a_posting_period():
    billing_groups_ensure()

    assert not any(
        "schedules.reopen_postingperiod" in _permissions(name)
        for name in (BILLING_MANAGERS, BILLING_VIEWERS)
    )
