"""The beat sweep of stalled deliveries, and the accounting sync as the first endpoint.

ACCOUNTING_WEBHOOK_URL / ACCOUNTING_WEBHOOK_SECRET used to be the one place Auto-Sync posted
to. When they are set, they seed an endpoint subscribed to the four events the sync sent
(its plain secret becomes the whsec_ secret of the same key bytes); from then on endpoints
are managed in admin, and the settings are not read again.
"""

from django.conf import settings
from django.db import migrations

from webhooks.events import ACCOUNTING_EVENTS
from webhooks.signing import secret_from_shared, secret_generate

SWEEP_NAME = "Requeue stalled webhook deliveries"
SWEEP_TASK = "webhooks.tasks.requeue_stalled_webhook_deliveries"
ACCOUNTING_DESCRIPTION = "Accounting (seeded from ACCOUNTING_WEBHOOK_URL)"


def create_sweep(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=SWEEP_NAME, defaults={"task": SWEEP_TASK, "interval": every}
    )


def remove_sweep(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SWEEP_NAME).delete()


def seed_accounting_endpoint(apps, schema_editor):
    url = settings.ACCOUNTING_WEBHOOK_URL
    if not url:
        return
    shared = settings.ACCOUNTING_WEBHOOK_SECRET
    WebhookEndpoint = apps.get_model("webhooks", "WebhookEndpoint")
    WebhookEndpoint.objects.get_or_create(
        url=url,
        defaults={
            "secret": secret_from_shared(shared) if shared else secret_generate(),
            "events": list(ACCOUNTING_EVENTS),
            "description": ACCOUNTING_DESCRIPTION,
        },
    )


class Migration(migrations.Migration):

    dependencies = [
        ("webhooks", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(create_sweep, remove_sweep),
        migrations.RunPython(seed_accounting_endpoint, migrations.RunPython.noop),
    ]
