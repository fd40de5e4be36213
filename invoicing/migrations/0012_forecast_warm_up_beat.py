"""Draft the forecast into the cache once a day, an hour after the nightly generation is
scheduled (editable in admin): the first day of a month starts warm even when no run
finished to warm it."""

from django.conf import settings
from django.db import migrations

from invoicing.migrations._nightly import FORECAST_WARM_UP_NAME

WARM_UP_TASK = "invoicing.tasks.warm_forecast"


def create_warm_up(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour=str((settings.BILLING_NIGHTLY_HOUR + 1) % 24),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(
        name=FORECAST_WARM_UP_NAME, defaults={"task": WARM_UP_TASK, "crontab": crontab}
    )


def remove_warm_up(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=FORECAST_WARM_UP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0011_invoice_currency_index"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_warm_up, remove_warm_up)]
