"""End contract…: pick the end date (or none), see what it would write, confirm."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from billing_site.errors import BillingError
from billing_site.forms import BillingDateField, iso_date_input
from contracts.models import BillingContract
from invoicing.services.ending import EndPlan, EndPreviewOutdated, contract_end, contract_end_plan

ENDED = _("Contract {number} now ends on {end}.")
OPENED = _("Contract {number} no longer has an end date.")
END_MISSING = _("Pick the end date, or tick “No end date”.")


class ContractEndForm(forms.Form):
    end_date = BillingDateField(label=_("End date"), required=False, widget=iso_date_input())
    open_ended = forms.BooleanField(label=_("No end date"), required=False)
    fingerprint = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("open_ended") and not cleaned.get("end_date"):
            raise forms.ValidationError(END_MISSING)
        if cleaned.get("open_ended"):
            cleaned["end_date"] = None
        return cleaned


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("contracts.change_billingcontract", raise_exception=True)
def contract_end_view(request, contract_pk: int) -> HttpResponse:
    """GET without a date: the form. GET with one: the preview. POST: end the contract."""
    contract = get_object_or_404(BillingContract.objects.select_related("customer"), pk=contract_pk)
    data = request.POST if request.method == "POST" else request.GET
    bound = "end_date" in data or "open_ended" in data
    form = ContractEndForm(data if bound else None, initial={"end_date": contract.end_date})
    if not bound or not form.is_valid():
        return _page(request, contract, form, None, status=400 if bound else 200)
    end_date = form.cleaned_data["end_date"]
    if request.method == "POST":
        try:
            contract_end(
                contract=contract,
                end_date=end_date,
                user=request.user,
                expected_fingerprint=form.cleaned_data["fingerprint"] or "",
            )
        except EndPreviewOutdated as outdated:
            messages.warning(request, str(outdated))
            return _preview(request, contract, form, status=409)
        except BillingError as error:
            messages.error(request, str(error))
            return _page(request, contract, form, None, status=400)
        done = ENDED.format(number=contract.number, end=date_format(end_date)) if end_date else None
        messages.success(request, done or OPENED.format(number=contract.number))
        return redirect("contracts:detail", pk=contract.pk)
    return _preview(request, contract, form)


def _preview(request, contract: BillingContract, form: ContractEndForm, *, status: int = 200):
    contract.refresh_from_db()
    try:
        plan = contract_end_plan(contract=contract, end_date=form.cleaned_data["end_date"])
    except BillingError as error:
        messages.error(request, str(error))
        return _page(request, contract, form, None, status=400)
    return _page(request, contract, form, plan, status=status)


def _page(request, contract, form, plan: EndPlan | None, *, status: int = 200) -> HttpResponse:
    context = {"contract": contract, "form": form, "plan": plan}
    return render(request, "invoicing/contract_end.html", context, status=status)
