"""Billing managers may also do in the web UI what only admins could: add customers, send an
invoice again, retry a failed post-invoicing task, record a bank transfer received; add
contracts and their lines."""

import importlib

from django.db import migrations

first = importlib.import_module("contracts.migrations.0003_billing_groups")

BILLING_MANAGERS = first.BILLING_MANAGERS
BILLING_VIEWERS = first.BILLING_VIEWERS
MANAGE = [
    *first.MANAGE,
    ("contracts", "add_customer"),
    ("contracts", "add_billingcontract"),
    ("contracts", "add_contractline"),
    ("invoicing", "retry_postinvoicingtask"),
    ("invoicing", "record_transfer"),
]
GROUPS = {BILLING_VIEWERS: first.VIEW, BILLING_MANAGERS: first.VIEW + MANAGE}


def billing_groups_create(apps, schema_editor):
    """Reset both groups to exactly their permissions as they now stand."""
    first.billing_groups_set(apps, GROUPS)


def billing_groups_restore(apps, schema_editor):
    first.billing_groups_set(apps, first.GROUPS)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0005_hot_updates_and_nightly_change_log"),
        ("invoicing", "0005_post_invoicing"),
    ]

    operations = [migrations.RunPython(billing_groups_create, billing_groups_restore)]
