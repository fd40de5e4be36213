"""The bulk window: a selection of contracts, the Regular or Change Log tab, a summary, Proceed.

Proceed only opens the run (the workers do the generation) and sends the person to its
progress page at once.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import ngettext
from django.views import View

from billing_site.errors import BillingError
from contracts.forms import ContractSelectionForm
from invoicing.errors import RUN_NOT_QUEUED
from invoicing.forms import BULK_TABS, BulkChangeLogForm, BulkRegularForm
from invoicing.selectors.bulk import (
    bulk_cycle_rows,
    bulk_summary,
    contracts_with_changes_to_bill,
    post_task_defaults,
)
from invoicing.services.bulk import bulk_change_log_run_start, bulk_run_start

CHANGE_LOG = "change_log"


class BulkGenerateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """GET shows the window for a selection; POST proceeds with the chosen tab."""

    permission_required = "invoicing.generate_invoice"
    http_method_names = ["get", "post"]

    def get(self, request):
        selection = ContractSelectionForm(request.GET)
        tab = CHANGE_LOG if request.GET.get("tab") == CHANGE_LOG else "regular"
        # A first visit shows the defaults; later GETs (htmx refreshes) carry the choices.
        chosen = "cycle_date" in request.GET or "period_start" in request.GET
        return self.page(selection, tab, request.GET if chosen else None)

    def post(self, request):
        selection = ContractSelectionForm(request.POST, proceeding=True)
        tab = CHANGE_LOG if request.POST.get("tab") == CHANGE_LOG else "regular"
        form = (BulkChangeLogForm if tab == CHANGE_LOG else BulkRegularForm)(request.POST)
        if not selection.is_valid() or not form.is_valid():
            for errors in (selection.errors.values(), form.errors.values()):
                for error in errors:
                    messages.error(request, " ".join(error))
            return self.page(selection, tab, request.POST, status=400)
        data = form.cleaned_data
        arguments = {
            "contract_ids": selection.contract_ids(),
            "shown_count": selection.cleaned_data["shown_count"],
            "user": request.user,
        }
        try:
            if tab == CHANGE_LOG:
                run = bulk_change_log_run_start(
                    **arguments,
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    post_tasks=form.post_tasks(),
                )
            else:
                run = bulk_run_start(
                    **arguments,
                    cycle_date=data["cycle_date"],
                    replace=data["replace"],
                    replace_confirmed=data["confirm_replace"],
                    post_tasks=form.post_tasks(),
                )
        except BillingError as error:
            messages.error(request, str(error))
            return self.page(selection, tab, request.POST, status=400)
        messages.success(
            request,
            ngettext(
                "Run #%(run)s started for %(count)s contract.",
                "Run #%(run)s started for %(count)s contracts.",
                run.parameters["contracts"],
            )
            % {"run": run.pk, "count": run.parameters["contracts"]},
        )
        run.refresh_from_db(fields=["enqueue_failed_at"])  # written by the commit hook
        if run.enqueue_failed_at:
            messages.warning(request, RUN_NOT_QUEUED)
        return redirect("invoicing:run_detail", pk=run.pk)

    def page(self, selection: ContractSelectionForm, tab: str, data, *, status: int = 200):
        ids = selection.contract_ids()
        today, defaults = timezone.localdate(), post_task_defaults(ids)
        carried = selection.hidden_fields_to_carry()
        regular = BulkRegularForm(
            data if tab == "regular" else None, initial={"cycle_date": today, **defaults}
        )
        change_log = BulkChangeLogForm(
            data if tab == CHANGE_LOG else None,
            initial={"period_start": today.replace(day=1), "period_end": today, **defaults},
        )
        cycle_date = _valid_date(regular, "cycle_date") or today
        replace = bool(regular.is_bound and regular.data.get("replace"))
        summary = (
            bulk_summary(contract_ids=ids, cycle_date=cycle_date, replace=replace)
            if ids and tab == "regular"
            else None
        )
        context = {
            "selection": selection,
            "carried": carried,
            "carried_query": urlencode(carried),
            "count": len(ids),
            "tab": tab,
            "tabs": BULK_TABS,
            "regular": regular,
            "change_log": change_log,
            "cycle_date": cycle_date,
            "replace": replace,
            "defaults": defaults,
            "summary": summary,
            # A Counter answers 0 to the template's `.items` lookup: hand it a list.
            "skipped_reasons": sorted(summary.skipped.items()) if summary else [],
            "rows": bulk_cycle_rows(ids, cycle_date) if tab == "regular" else [],
            "with_changes": _with_changes(change_log, ids) if tab == CHANGE_LOG else None,
        }
        response = render(self.request, "invoicing/bulk.html", context, status=status)
        patch_vary_headers(response, ["HX-Request"])
        return response


def _with_changes(form: BulkChangeLogForm, ids: list[int]) -> int | None:
    """How many selected contracts have changes to bill in the form's period; None while
    the period does not read (the form says why)."""
    start, end = _valid_date(form, "period_start"), _valid_date(form, "period_end")
    if not ids or start is None or end is None or end < start:
        return None
    return contracts_with_changes_to_bill(ids, period_start=start, period_end=end)


def _valid_date(form, name: str) -> date | None:
    if not form.is_bound:
        return form.initial.get(name)
    field = form.fields[name]
    try:
        return field.clean(field.widget.value_from_datadict(form.data, form.files, name))
    except ValidationError:
        return None  # an unreadable date: the summary shows today's, the form says why
