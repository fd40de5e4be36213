"""Generation runs: open a bulk or change-log run for a list of contracts (the bulk
window's services), read runs with their progress and their jobs, retry failed, resume."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.idempotency import idempotent
from api.v1.cycles import IDEMPOTENCY_PARAMETER, EmptySerializer
from api.v1.queries import query_form
from api.v1.run_serializers import (
    JobSerializer,
    RetriedSerializer,
    RunOpenSerializer,
    RunSerializer,
    job_rows,
    run_data,
)
from invoicing import errors
from invoicing.forms import RunJobFilterForm
from invoicing.models import GenerationJob, GenerationRun
from invoicing.selectors.runs import run_progress, runs_job_counts
from invoicing.services.bulk import (
    bulk_change_log_run_start,
    bulk_run_start,
    run_resume,
    run_retry_failed,
)

GENERATE = ("invoicing.generate_invoice",)


@extend_schema_view(
    list=extend_schema(responses=RunSerializer(many=True)),
    retrieve=extend_schema(responses=RunSerializer),
)
class RunViewSet(viewsets.GenericViewSet):
    queryset = GenerationRun.objects.select_related("requested_by")
    serializer_class = RunSerializer
    http_method_names = ["get", "post", "head", "options"]
    action_permissions = {
        "jobs": ("invoicing.view_generationrun", "invoicing.view_generationjob"),
        "create": GENERATE,
        "retry_failed": GENERATE,
        "resume": GENERATE,
    }

    def list(self, request):
        query_form(request, EmptyQuery)
        page = self.paginate_queryset(self.get_queryset().order_by("-id"))
        counts = runs_job_counts([run.pk for run in page])
        rows = [run_data(run, counts[run.pk]) for run in page]
        return self.get_paginated_response(RunSerializer(rows, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self._run(self.get_object()))

    @extend_schema(
        request=RunOpenSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: RunSerializer},
        description="Open a run for exactly these contracts, as the bulk window's Proceed: "
        "`regular` bills each contract's cycle containing `cycle_date` (today if absent), "
        "`change_log` the unbilled quantity changes of the period. Workers do the work: "
        "follow its progress at /runs/{id}/. Auto-Send/Charge/Sync absent: each contract's "
        "own; any given: those given, the others off.",
    )
    def create(self, request):
        serializer = RunOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return idempotent(request, lambda: self._open(request, serializer.validated_data))

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=GenerationJob.Status.values),
        ],
        responses=JobSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def jobs(self, request, pk=None):
        run = self.get_object()
        shown = query_form(request, RunJobFilterForm)
        jobs = run.jobs.select_related("contract").order_by("id")
        if status_shown := shown.status_shown():
            jobs = jobs.filter(status=status_shown)
        page = self.paginate_queryset(jobs)
        return self.get_paginated_response(JobSerializer(job_rows(page), many=True).data)

    @extend_schema(request=EmptySerializer, responses=RetriedSerializer)
    @action(detail=True, methods=["post"], url_path="retry-failed")
    def retry_failed(self, request, pk=None):
        EmptySerializer(data=request.data or {}).is_valid(raise_exception=True)
        count = run_retry_failed(run=self.get_object(), user=request.user)
        detail = f"{count} failed job(s) queued again." if count else errors.NO_FAILED_JOB_TO_RETRY
        return Response(RetriedSerializer({"queued": count, "detail": detail}).data)

    @extend_schema(request=EmptySerializer, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        EmptySerializer(data=request.data or {}).is_valid(raise_exception=True)
        run = self.get_object()
        run_resume(run=run, user=request.user)
        run.refresh_from_db()
        return Response(self._run(run))

    def _open(self, request, data) -> Response:
        common = {
            "contract_ids": data["contract_ids"],
            "shown_count": len(data["contract_ids"]),
            "post_tasks": data.get("post_tasks"),
            "user": request.user,
        }
        if data["kind"] == "change_log":
            run = bulk_change_log_run_start(
                **common, period_start=data["period_start"], period_end=data["period_end"]
            )
        else:
            replace = data["replace"]
            run = bulk_run_start(
                **common,
                cycle_date=data.get("cycle_date") or timezone.localdate(),
                replace=replace,
                # The API's `replace: true` is the explicit confirmation the window's box asks.
                replace_confirmed=replace,
            )
        return Response(self._run(run), status=status.HTTP_201_CREATED)

    def _run(self, run: GenerationRun) -> dict:
        progress = run_progress(run=run, status="", page_number=1)
        return RunSerializer(run_data(run, progress.counts, attention=progress.attention)).data


class EmptyQuery(forms.Form):
    """The run list takes no filter: only the list parameters (cursor, page_size)."""
