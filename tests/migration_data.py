"""The rows data migrations write (the billing groups, the beat entries), written again
after a test flushed every table outside pytest-django's own ordering of transactional
tests: the tests that follow it expect them, as on a freshly migrated database."""

from __future__ import annotations

import importlib

from django.apps import apps

from tests.factories import billing_groups_ensure

BEAT_ENTRIES = (
    ("invoicing.migrations.0003_nightly_beat_schedule", "create_schedule"),
    ("invoicing.migrations.0005_post_invoicing", "create_sweep"),
    ("invoicing.migrations.0009_run_heartbeat_and_requeue_sweep", "create_sweep"),
    ("invoicing.migrations.0012_forecast_warm_up_beat", "create_warm_up"),
)


def migration_data_restore() -> None:
    billing_groups_ensure()
    for module, function in BEAT_ENTRIES:
        getattr(importlib.import_module(module), function)(apps, None)
