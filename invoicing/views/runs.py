"""Generation runs: the history, one run's live progress, one job; Retry failed and Resume."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from billing_site.errors import BillingError
from invoicing import errors
from invoicing.forms import RunJobFilterForm
from invoicing.models import GenerationJob, GenerationRun
from invoicing.selectors.runs import job_overview, run_progress, runs_page
from invoicing.services.bulk import run_resume, run_retry_failed

RETRIED = _("{count} failed job(s) queued again.")
RESUMED = _("The run's open jobs were queued again.")


@require_GET
@login_required
@permission_required("invoicing.view_generationrun", raise_exception=True)
def run_list(request):
    """Every run, newest first: trigger, who, when, parameters, outcome."""
    return render(
        request, "invoicing/run_list.html", {"page": runs_page(page_number=request.GET.get("page"))}
    )


@require_GET
@login_required
@permission_required("invoicing.view_generationrun", raise_exception=True)
def run_detail(request, pk: int):
    """A run's progress and its jobs; htmx polls it until the run has finished."""
    run = get_object_or_404(GenerationRun.objects.select_related("requested_by"), pk=pk)
    shown = RunJobFilterForm(request.GET)
    progress = run_progress(
        run=run, status=shown.status_shown(), page_number=request.GET.get("page")
    )
    response = render(
        request, "invoicing/run_detail.html", {"progress": progress, "filter_form": shown}
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@login_required
@permission_required("invoicing.view_generationjob", raise_exception=True)
def job_detail(request, pk: int):
    """One job: its contract, cycle or period, status, message, invoices, timings."""
    job = get_object_or_404(
        GenerationJob.objects.select_related("run__requested_by", "contract__customer"), pk=pk
    )
    return render(request, "invoicing/job_detail.html", {"overview": job_overview(job=job)})


@require_POST
@login_required
@permission_required("invoicing.generate_invoice", raise_exception=True)
def run_retry_view(request, pk: int):
    """Queue the run's failed jobs again."""
    run = get_object_or_404(GenerationRun, pk=pk)
    count = run_retry_failed(run=run, user=request.user)
    if count:
        messages.success(request, RETRIED.format(count=count))
    else:
        messages.info(request, errors.NO_FAILED_JOB_TO_RETRY)
    return redirect("invoicing:run_detail", pk=run.pk)


@require_POST
@login_required
@permission_required("invoicing.generate_invoice", raise_exception=True)
def run_resume_view(request, pk: int):
    """Queue a stalled run's open jobs again."""
    run = get_object_or_404(GenerationRun, pk=pk)
    try:
        run_resume(run=run, user=request.user)
    except BillingError as refusal:
        messages.info(request, str(refusal))
    else:
        messages.success(request, RESUMED)
    return redirect("invoicing:run_detail", pk=run.pk)
