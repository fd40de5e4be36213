"""Runs and jobs as the API shows them, and the body that opens a run."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework import serializers

from api.serializers import StrictSerializer
from api.v1.fields import BillingDateField
from contracts.forms import MAX_EXPLICIT_IDS, TOO_MANY_IDS
from contracts.models import POST_TASKS
from invoicing.models import GenerationJob, GenerationRun
from invoicing.selectors.runs import jobs_invoices, run_attention, run_parameters_described

KINDS = ["regular", "change_log"]
IDS_REPEATED = "Give each contract once: {ids} repeated."
PERIOD_NEEDED = "A change-log run needs its period_start and period_end."
ONLY_FOR = "Only for a {kind} run."


class RunOpenSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=KINDS)
    contract_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=True,
        max_length=MAX_EXPLICIT_IDS,
        error_messages={"max_length": TOO_MANY_IDS},
    )
    cycle_date = BillingDateField(required=False, help_text="Regular: default today.")
    replace = serializers.BooleanField(default=False, help_text="Regular: replace invoices.")
    period_start = BillingDateField(required=False, help_text="Change log.")
    period_end = BillingDateField(required=False, help_text="Change log.")
    auto_send = serializers.BooleanField(required=False)
    auto_charge = serializers.BooleanField(required=False)
    auto_sync = serializers.BooleanField(required=False)

    def validate_contract_ids(self, ids: list[int]) -> list[int]:
        repeated = sorted({pk for pk in ids if ids.count(pk) > 1})
        if repeated:
            raise serializers.ValidationError(
                IDS_REPEATED.format(ids=", ".join(map(str, repeated)))
            )
        return ids

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        change_log = data["kind"] == "change_log"
        if change_log and not ("period_start" in data and "period_end" in data):
            raise serializers.ValidationError({"period_start": [PERIOD_NEEDED]})
        wrong = ("cycle_date", "replace") if change_log else ("period_start", "period_end")
        given = [name for name in wrong if name in self.initial_data]
        if given:
            kind = "regular" if change_log else "change_log"
            raise serializers.ValidationError(
                {name: [ONLY_FOR.format(kind=kind)] for name in given}
            )
        tasks = {name: data.pop(name) for name in POST_TASKS if name in data}
        data["post_tasks"] = (
            {name: tasks.get(name, False) for name in POST_TASKS} if tasks else None
        )
        return data


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    trigger = serializers.ChoiceField(choices=["nightly", "manual", "bulk", "admin", "command"])
    status = serializers.ChoiceField(choices=GenerationRun.Status.values)
    as_of_date = serializers.DateField()
    parameters = serializers.DictField(help_text="As the run was asked for.")
    described = serializers.CharField(help_text="The parameters as the run page says them.")
    requested_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Jobs per status.")
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    attention = serializers.CharField(
        help_text="Why it needs Resume (not_queued, interrupted, stalled), or empty."
    )


def run_data(run: GenerationRun, counts: dict[str, int], *, attention: str | None = None):
    total = sum(counts.values())
    has_open = any(counts[status] for status in GenerationJob.OPEN_STATUSES)
    return {
        "id": run.pk,
        "trigger": run.trigger,
        "status": run.status,
        "as_of_date": run.as_of_date,
        "parameters": run.parameters or {},
        "described": run_parameters_described(run),
        "requested_by": run.requested_by.username if run.requested_by else None,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "counts": counts,
        "total": total,
        "done": total - sum(counts[status] for status in GenerationJob.OPEN_STATUSES),
        "attention": run_attention(run, has_open_jobs=has_open) if attention is None else attention,
    }


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contract_id = serializers.IntegerField()
    contract_number = serializers.CharField()
    status = serializers.ChoiceField(choices=GenerationJob.Status.values)
    message = serializers.CharField(allow_blank=True)
    invoice_ids = serializers.ListField(child=serializers.IntegerField())
    invoice_numbers = serializers.ListField(child=serializers.CharField())
    attempts = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


def job_rows(jobs: Iterable[GenerationJob]) -> list[dict[str, Any]]:
    jobs = list(jobs)
    invoices = jobs_invoices([job.pk for job in jobs])
    return [
        {
            "id": job.pk,
            "contract_id": job.contract_id,
            "contract_number": job.contract.number,
            "status": job.status,
            "message": job.message,
            "invoice_ids": [invoice.pk for invoice in invoices.get(job.pk, [])],
            "invoice_numbers": [invoice.number for invoice in invoices.get(job.pk, [])],
            "attempts": job.attempts,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
        }
        for job in jobs
    ]


class RetriedSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text="Failed jobs queued again.")
    detail = serializers.CharField()
