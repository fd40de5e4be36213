"""Change-log invoicing of one contract (period, preview, confirm) and voiding or replacing
an invoice from its page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.http import require_POST

from billing_site.errors import BillingError
from contracts.models import BillingContract
from invoicing.errors import PreviewOutdated
from invoicing.forms import ChangeLogInvoiceForm, InvoiceVoidForm
from invoicing.models import Invoice
from invoicing.selectors.drafts import change_log_preview
from invoicing.services.change_log import change_log_documents_generate, change_log_invoice_replace
from invoicing.services.voiding import invoice_void

GENERATED = _("Generated {}.")
CREDITS = _(" (credits {number})")
VOIDED = _("Invoice {number} voided.")
TAKEN_BACK = _("Credit note {number} takes it back.")
REPLACES = _("{new} replaces {old}.")


class ChangeLogInvoiceView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """GET previews the contract's change-log billing for a period (an invoice of its
    increases, credit notes of its decreases); POST writes it."""

    permission_required = "invoicing.generate_invoice"
    http_method_names = ["get", "post"]

    def get(self, request, contract_pk: int):
        contract = _contract(contract_pk)
        form = ChangeLogInvoiceForm(
            request.GET if "period_start" in request.GET else None,
            initial={"period_start": contract.start_date, "period_end": timezone.localdate()},
        )
        return self.page(contract, form)

    def post(self, request, contract_pk: int):
        contract = _contract(contract_pk)
        form = ChangeLogInvoiceForm(request.POST)
        if not form.is_valid():
            for error in form.non_field_errors():
                messages.error(request, error)
            return self.page(contract, form, status=400)
        data = form.cleaned_data
        try:
            documents = change_log_documents_generate(
                contract=contract,
                period_start=data["period_start"],
                period_end=data["period_end"],
                as_of=timezone.localdate(),
                user=request.user,
                expected_fingerprint=data["fingerprint"] or None,
            )
        except PreviewOutdated as outdated:
            messages.warning(request, str(outdated))
            return self.page(contract, form, status=409)
        except BillingError as error:
            messages.error(request, str(error))
            return self.page(contract, form, status=400)
        messages.success(request, _generated(documents))
        return redirect("invoicing:invoice_detail", pk=documents[0].pk)

    def page(self, contract: BillingContract, form: ChangeLogInvoiceForm, *, status: int = 200):
        """The period and, when it reads, the preview as the contract is now."""
        drafts = None
        start, end = _period(form)
        if start and end:
            drafts = change_log_preview(
                contract=contract, period_start=start, period_end=end, as_of=timezone.localdate()
            )
        context = {
            "contract": contract,
            "form": form,
            "drafts": drafts,
            "draft": drafts.invoice if drafts else None,
            "fingerprint": drafts.fingerprint() if drafts else "",
        }
        return render(self.request, "invoicing/change_log_invoice.html", context, status=status)


def _contract(pk: int) -> BillingContract:
    return get_object_or_404(BillingContract.objects.select_related("customer"), pk=pk)


def _generated(documents: list[Invoice]):
    """The success message, linking each document written."""
    links = [
        format_html(
            '{} <a href="{}">{}</a>{}',
            _("credit note") if document.is_credit_note else _("change-log invoice"),
            reverse("invoicing:invoice_detail", args=[document.pk]),
            document.number,
            CREDITS.format(number=document.credits) if document.is_credit_note else "",
        )
        for document in documents
    ]
    return format_html(GENERATED, format_html_join(", ", "{}", ((link,) for link in links)))


def _period(form: ChangeLogInvoiceForm):
    if not form.is_bound:
        return form.initial["period_start"], form.initial["period_end"]
    if form.is_valid():
        return form.cleaned_data["period_start"], form.cleaned_data["period_end"]
    return None, None


@require_POST
@login_required
@permission_required("invoicing.replace_invoice", raise_exception=True)
def invoice_void_view(request, pk: int):
    """Void an issued, unpaid invoice, with a reason on the audit trail."""
    invoice = get_object_or_404(Invoice, pk=pk)
    form = InvoiceVoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.refusal())
        return redirect("invoicing:invoice_detail", pk=invoice.pk)
    try:
        invoice_void(invoice=invoice, user=request.user, reason=form.cleaned_data["reason"])
    except BillingError as error:
        messages.error(request, str(error))
    else:
        note = invoice.credit_notes.order_by("-pk").first()
        credited = " " + TAKEN_BACK.format(number=note.number) if note else ""
        messages.success(request, VOIDED.format(number=invoice.number) + credited)
    return redirect("invoicing:invoice_detail", pk=invoice.pk)


@require_POST
@login_required
@permission_required("invoicing.replace_invoice", raise_exception=True)
def change_log_replace_view(request, pk: int):
    """Re-bill a change-log invoice's changes on a new invoice that replaces it."""
    invoice = get_object_or_404(Invoice, pk=pk)
    try:
        replacement = change_log_invoice_replace(
            invoice=invoice, as_of=timezone.localdate(), user=request.user
        )
    except BillingError as error:
        messages.error(request, str(error))
        return redirect("invoicing:invoice_detail", pk=invoice.pk)
    messages.success(request, REPLACES.format(new=replacement.number, old=invoice.number))
    return redirect("invoicing:invoice_detail", pk=replacement.pk)
