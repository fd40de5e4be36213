"""Generate all due (the month-end catch-up): what is due today and the dates its invoices
will carry, then Proceed opens one run for all of it and lands on the run's progress page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View

from billing_site.errors import BillingError
from invoicing.errors import CATCH_UP_ALREADY_OPEN, RUN_NOT_QUEUED
from invoicing.forms import CatchUpForm
from invoicing.selectors.catch_up import catch_up_summary
from invoicing.services.catch_up import catch_up_run_start

RUN_STARTED = _("Run #{run} started: {schedules} of {contracts}.")


class CatchUpView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """GET shows what is due and the date rule; POST proceeds with the counts shown."""

    permission_required = "invoicing.generate_invoice"
    http_method_names = ["get", "post"]

    def get(self, request):
        return self.page()

    def post(self, request):
        form = CatchUpForm(request.POST)
        if not form.is_valid():
            for message in form.refusals():
                messages.error(request, message)
            return self.page(status=400)
        data = form.cleaned_data
        try:
            run, opened = catch_up_run_start(
                shown_schedules=data["shown_schedules"],
                shown_contracts=data["shown_contracts"],
                post_tasks=form.post_tasks(),
                user=request.user,
            )
        except BillingError as error:
            messages.error(request, str(error))
            return self.page(form, status=400)
        if not opened:
            messages.info(request, CATCH_UP_ALREADY_OPEN.format(run=run.pk))
            return redirect("invoicing:run_detail", pk=run.pk)
        parameters = run.parameters
        messages.success(
            request,
            RUN_STARTED.format(
                run=run.pk,
                schedules=ngettext(
                    "%(count)s due schedule", "%(count)s due schedules", parameters["schedules"]
                )
                % {"count": parameters["schedules"]},
                contracts=ngettext(
                    "%(count)s contract", "%(count)s contracts", parameters["contracts"]
                )
                % {"count": parameters["contracts"]},
            ),
        )
        run.refresh_from_db(fields=["enqueue_failed_at"])  # written by the commit hook
        if run.enqueue_failed_at:
            messages.warning(request, RUN_NOT_QUEUED)
        return redirect("invoicing:run_detail", pk=run.pk)

    def page(self, posted: CatchUpForm | None = None, *, status: int = 200):
        """The page as things stand now; the boxes as posted when they were."""
        catch_up = catch_up_summary(as_of=timezone.localdate())
        initial = {
            **catch_up.post_task_defaults,
            "shown_schedules": catch_up.schedules,
            "shown_contracts": catch_up.contracts,
        }
        if posted is not None and posted.is_valid():
            initial.update(posted.post_tasks())
        context = {"catch_up": catch_up, "form": CatchUpForm(initial=initial)}
        return render(self.request, "invoicing/catch_up.html", context, status=status)
