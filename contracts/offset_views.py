"""The Invoice Generation Offset editor: the effect first (each Pending cycle's Invoice Date
before and after, the month boundary, the customer's other offsets), then Save."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from contracts.forms import OffsetForm
from contracts.models import BillingContract
from contracts.templatetags.billing_format import signed_days
from schedules.selectors import offset_change_preview
from schedules.services import contract_offset_change

SAVED = _("Invoice Generation Offset set to {offset}: {moved}.")


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("contracts.change_billingcontract", raise_exception=True)
def contract_offset_edit(request, pk: int) -> HttpResponse:
    """GET without an offset: the form. GET with one: its effect, and Save. POST: save."""
    contract = get_object_or_404(BillingContract.objects.select_related("customer"), pk=pk)
    data = request.POST if request.method == "POST" else request.GET
    form = OffsetForm(data if "offset_days" in data else None)
    if not form.is_bound:
        form = OffsetForm(initial={"offset_days": contract.invoice_offset_days})
    elif form.is_valid() and request.method == "POST":
        offset = form.cleaned_data["offset_days"]
        moved = contract_offset_change(contract=contract, offset_days=offset, user=request.user)
        moved_text = ngettext(
            "%(count)d Pending schedule re-dated", "%(count)d Pending schedules re-dated", moved
        ) % {"count": moved}
        messages.success(request, SAVED.format(offset=signed_days(offset), moved=moved_text))
        return redirect("contracts:detail", pk=contract.pk)
    preview = None
    if form.is_bound and form.is_valid():
        preview = offset_change_preview(
            contract=contract,
            offset_days=form.cleaned_data["offset_days"],
            today=timezone.localdate(),
        )
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {"contract": contract, "form": form, "preview": preview}
    return render(request, "contracts/contract_offset.html", context, status=status)
