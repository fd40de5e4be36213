"""Invoicing pages: the dashboard, Generate Invoice for one contract, and the invoice page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views import View
from django.views.decorators.http import require_GET

from contracts.models import BillingContract
from invoicing.errors import POST_TASKS_NOT_QUEUED, GenerationError, PreviewOutdated
from invoicing.forms import (
    GENERATED_NOT_OF_CONTRACT,
    NOT_A_CYCLE_CHOICE,
    CycleShownForm,
    GenerateInvoiceForm,
)
from invoicing.post_invoicing.scheduling import post_tasks_not_queued
from invoicing.selectors.cycles import CycleReview, contract_cycle_choices, cycle_review
from invoicing.selectors.dashboard import attention_today
from invoicing.selectors.invoices import generated_invoice, invoice_for_page, invoice_overview
from invoicing.services.manual import cycle_invoice_generate


@require_GET
@login_required
@permission_required("schedules.view_billingschedule", raise_exception=True)
def dashboard(request):
    """What needs attention today."""
    attention = attention_today(as_of=timezone.localdate())
    return render(request, "invoicing/dashboard.html", {"attention": attention})


@require_GET
@login_required
@permission_required("invoicing.view_invoice", raise_exception=True)
def invoice_detail(request, pk: int):
    """One invoice: header, lines, totals, what it replaced or was replaced by, audit trail."""
    invoice = get_object_or_404(invoice_for_page(pk))
    overview = invoice_overview(invoice=invoice, user=request.user)
    return render(request, "invoicing/invoice_detail.html", {"overview": overview})


class GenerateInvoiceView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Generate Invoice for one contract: pick a cycle, review its preview, confirm."""

    permission_required = "invoicing.generate_invoice"
    http_method_names = ["get", "post"]

    def get(self, request, contract_pk: int):
        shown = CycleShownForm(request.GET)
        contract = self.contract(contract_pk)
        if (generated_id := shown.generated_id()) is not None:
            generated = generated_invoice(contract=contract, invoice_id=generated_id)
            if generated is not None:
                context = {"contract": contract, "generated": generated}
                return render(request, "invoicing/generate_done.html", context)
            messages.error(request, GENERATED_NOT_OF_CONTRACT)
        review = cycle_review(
            contract=contract,
            as_of=timezone.localdate(),
            cycle_index=shown.cycle_index(),
            with_preview=shown.with_preview(),
        )
        if review.asked_cycle_unknown:
            messages.error(request, NOT_A_CYCLE_CHOICE)
        return self.page(review, GenerateInvoiceForm.for_review(review))

    def post(self, request, contract_pk: int):
        contract, as_of = self.contract(contract_pk), timezone.localdate()
        choices = contract_cycle_choices(contract=contract, as_of=as_of)
        form = GenerateInvoiceForm(request.POST, contract=contract, choices=choices)
        if not form.is_valid():
            return self.refused(form, " ".join(form.refusals()))
        try:
            invoice = cycle_invoice_generate(
                contract=contract, as_of=as_of, user=request.user, **form.generation_arguments()
            )
        except GenerationError as error:
            return self.refused(form, str(error), outdated=isinstance(error, PreviewOutdated))
        if post_tasks_not_queued(invoice_id=invoice.pk):
            messages.warning(request, POST_TASKS_NOT_QUEUED)
        # The success state is a GET of its own: a refresh shows it again, generates nothing.
        return redirect(f"{request.path}?generated={invoice.pk}")

    def contract(self, pk: int) -> BillingContract:
        return get_object_or_404(BillingContract.objects.select_related("customer"), pk=pk)

    def refused(self, form: GenerateInvoiceForm, message: str, *, outdated: bool = False):
        """The page again, for the cycle as it is now: nothing was written."""
        (messages.warning if outdated else messages.error)(self.request, message)
        data = form.cleaned_data
        review = cycle_review(
            contract=form.contract,
            as_of=timezone.localdate(),
            cycle_index=data.get("cycle"),
            with_preview=data.get("preview", True),
        )
        return self.page(review, GenerateInvoiceForm.for_review(review, **form.ticked()))

    def page(self, review: CycleReview, form: GenerateInvoiceForm):
        # htmx swaps only the cycle's part when the cycle or the preview switch changes.
        headers = self.request.headers
        partial = "HX-Request" in headers and "HX-History-Restore-Request" not in headers
        template = "invoicing/_cycle_swap.html" if partial else "invoicing/generate.html"
        response = render(self.request, template, {"review": review, "form": form})
        patch_vary_headers(response, ["HX-Request"])
        return response
