"""Posting periods: both groups see them; Billing managers, who close the month's billing,
may close one. Reopening a closed month is given to no group: an admin grants
`schedules.reopen_postingperiod` to the person finance trusts with it."""

import importlib

from django.db import migrations

first = importlib.import_module("contracts.migrations.0003_billing_groups")
sixth = importlib.import_module("contracts.migrations.0006_managers_intervene_after_generation")

BILLING_MANAGERS = first.BILLING_MANAGERS
BILLING_VIEWERS = first.BILLING_VIEWERS
VIEW = [*first.VIEW, ("schedules", "view_postingperiod")]
MANAGE = [*sixth.MANAGE, ("schedules", "close_postingperiod")]
GROUPS = {BILLING_VIEWERS: VIEW, BILLING_MANAGERS: VIEW + MANAGE}


def billing_groups_create(apps, schema_editor):
    """Reset both groups to exactly their permissions as they now stand."""
    first.billing_groups_set(apps, GROUPS)


def billing_groups_restore(apps, schema_editor):
    first.billing_groups_set(apps, sixth.GROUPS)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0007_customer_country_vat_id_language"),
        ("schedules", "0003_posting_periods"),
    ]

    operations = [migrations.RunPython(billing_groups_create, billing_groups_restore)]
