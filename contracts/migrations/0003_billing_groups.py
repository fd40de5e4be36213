"""The two roles of the web UI, as groups an admin gives to people: Billing managers
(read, edit contracts, generate and replace invoices) and Billing viewers (read only)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

BILLING_MANAGERS = "Billing managers"
BILLING_VIEWERS = "Billing viewers"

VIEW = [
    ("contracts", "view_customer"),
    ("contracts", "view_billingcontract"),
    ("contracts", "view_contractline"),
    ("contracts", "view_contractchange"),
    ("schedules", "view_billingschedule"),
    ("invoicing", "view_invoice"),
    ("invoicing", "view_invoiceline"),
    ("invoicing", "view_generationrun"),
    ("invoicing", "view_generationjob"),
    ("invoicing", "view_auditevent"),
]
MANAGE = [
    ("contracts", "change_customer"),
    ("contracts", "change_billingcontract"),
    ("contracts", "change_contractline"),
    ("invoicing", "generate_invoice"),
    ("invoicing", "replace_invoice"),
]
GROUPS = {BILLING_VIEWERS: VIEW, BILLING_MANAGERS: VIEW + MANAGE}


def billing_groups_create(apps, schema_editor):
    """Create (or reset) both groups with exactly their permissions."""
    billing_groups_set(apps, GROUPS)


def billing_groups_set(apps, groups: dict[str, list[tuple[str, str]]]):
    """Give each group exactly the permissions listed for it; later migrations call this
    with the groups as they then stand."""
    _permissions_create(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in groups.items():
        condition = Q()
        for app_label, codename in wanted:
            condition |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(Permission.objects.filter(condition))
        if len(permissions) != len(wanted):
            raise RuntimeError(f"{name}: {len(wanted) - len(permissions)} permission(s) missing.")
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)


def _permissions_create(apps):
    # Django creates permissions after the last migration (post_migrate); on a new database
    # this migration runs before that, so it creates them itself.
    for app_config in apps.get_app_configs():
        stub = getattr(app_config, "models_module", None) is None
        if stub:
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        if stub:
            app_config.models_module = None


def billing_groups_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("contracts", "0002_initial"),
        ("schedules", "0001_initial"),
        ("invoicing", "0004_audit_events_and_permissions"),
    ]

    operations = [migrations.RunPython(billing_groups_create, billing_groups_delete)]
