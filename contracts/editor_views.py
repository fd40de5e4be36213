"""The contract editor: a new contract for a customer, or an existing one's terms,
automation defaults and lines, saved together through the same services as admin's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from billing_site.errors import BillingError
from billing_site.forms import MAX_ID
from contracts import errors
from contracts.forms import ContractForm, ContractLineFormSet
from contracts.models import BillingContract, ContractLine, Customer
from schedules.models import BillingSchedule
from schedules.services import contract_edit

SAVED = _("Contract {number} saved.")
NO_CUSTOMER = _("Choose the customer first: open their page, then New contract.")
# The service's own refusal (contract_edit), shown here before it with a link to the page.
END_DATE_THROUGH_END_CONTRACT = errors.END_DATE_THROUGH_END_CONTRACT


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("contracts.add_billingcontract", raise_exception=True)
def contract_create(request) -> HttpResponse:
    customer_id = request.GET.get("customer", "")
    known = customer_id.isascii() and customer_id.isdigit() and int(customer_id) <= MAX_ID
    customer = Customer.objects.filter(pk=int(customer_id)).first() if known else None
    if customer is None:
        messages.info(request, NO_CUSTOMER)
        return redirect("customers:list")
    return _editor(request, BillingContract(customer=customer))


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("contracts.change_billingcontract", raise_exception=True)
def contract_edit_view(request, pk: int) -> HttpResponse:
    contract = get_object_or_404(BillingContract.objects.select_related("customer"), pk=pk)
    return _editor(request, contract)


def _editor(request, contract: BillingContract) -> HttpResponse:
    adding = contract.pk is None
    data = request.POST if request.method == "POST" else None
    form = ContractForm(data, instance=contract)
    lines = ContractLineFormSet(
        data,
        queryset=(
            ContractLine.objects.none() if adding else contract.lines.order_by("position", "id")
        ),
        prefix="lines",
    )
    if data is not None and form.is_valid() and _end_date_moved_on_invoiced(form):
        form.add_error(None, _end_date_refusal(contract))
    elif data is not None and form.is_valid() and lines.is_valid():
        edits = [line.line_edit() for line in lines.forms if line.instance.pk or line.has_changed()]
        with translation.override(None):  # the history keeps the labels in English
            labels = [str(form.fields[name].label) for name in form.changed_data]
        if any(edit.changed_fields for edit in edits):
            labels.append("Lines")
        try:
            contract_edit(
                contract=form.instance,
                changed_fields=set(form.changed_data),
                lines=edits,
                user=request.user,
                change_message=[] if adding else [{"changed": {"fields": labels}}],
            )
        except (BillingError, ValidationError) as error:
            if adding:  # the transaction was rolled back: nothing was created
                form.instance.pk = None
            form.add_error(None, _message_of(error))
        else:
            messages.success(request, SAVED.format(number=form.instance.number))
            return redirect("contracts:detail", pk=form.instance.pk)
    status = 400 if data is not None else 200
    context = {"form": form, "lines": lines, "contract": contract, "adding": adding}
    return render(request, "contracts/contract_form.html", context, status=status)


def _end_date_moved_on_invoiced(form: ContractForm) -> bool:
    """An invoiced contract's end date credits or bills days: one rule, End contract's."""
    contract = form.instance
    return bool(
        contract.pk
        and "end_date" in form.changed_data
        and contract.schedules.filter(status=BillingSchedule.Status.INVOICED).exists()
    )


def _end_date_refusal(contract: BillingContract) -> str:
    return format_html(
        '{} <a href="{}">{}</a>',
        END_DATE_THROUGH_END_CONTRACT.format(number=contract.number),
        reverse("invoicing:contract_end", args=[contract.pk]),
        _("End contract…"),
    )


def _message_of(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
