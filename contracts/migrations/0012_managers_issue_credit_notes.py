"""Billing managers may issue a credit note on an invoice, in full or in part, from its page."""

import importlib

from django.db import migrations

first = importlib.import_module("contracts.migrations.0003_billing_groups")
eighth = importlib.import_module("contracts.migrations.0008_posting_periods")

BILLING_MANAGERS = first.BILLING_MANAGERS
BILLING_VIEWERS = first.BILLING_VIEWERS
VIEW = eighth.VIEW
MANAGE = [*eighth.MANAGE, ("invoicing", "issue_credit_note")]
GROUPS = {BILLING_VIEWERS: VIEW, BILLING_MANAGERS: VIEW + MANAGE}


def billing_groups_create(apps, schema_editor):
    """Reset both groups to exactly their permissions as they now stand."""
    first.billing_groups_set(apps, GROUPS)


def billing_groups_restore(apps, schema_editor):
    first.billing_groups_set(apps, eighth.GROUPS)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0011_seller_identity"),
        ("invoicing", "0017_credit_notes_by_hand_and_open_amounts"),
    ]

    operations = [migrations.RunPython(billing_groups_create, billing_groups_restore)]
