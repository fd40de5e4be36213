"""The contract list and the contract page, for anyone who may view contracts; changing a
line's quantity, for those who may change lines."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from billing_site.errors import BillingError
from contracts.forms import ContractFilterForm, LineQuantityForm
from contracts.models import BillingContract, ContractLine
from contracts.selectors import contract_change_log, contract_lines, contract_list_page
from invoicing.selectors.dashboard import contract_invoices_past_end
from invoicing.selectors.invoices import (
    contract_audit_trail,
    contract_invoices,
    last_invoices_by_contract,
)
from schedules.selectors import contract_schedules
from schedules.services import contract_line_change_quantity

QUANTITY_UNCHANGED = _("“{description}” already has this quantity: nothing changed.")
QUANTITY_CHANGED = _("“{description}”: quantity {before} → {after} from {day}.")


@require_GET
@login_required
@permission_required("contracts.view_billingcontract", raise_exception=True)
def contract_list(request):
    """Search, filter, sort and page through the contracts."""
    form = ContractFilterForm(request.GET)
    filters = form.filters()
    page = contract_list_page(filters=filters, page_number=request.GET.get("page"))
    last_invoices = last_invoices_by_contract(contract.pk for contract in page)
    context = {
        "form": form,
        "page": page,
        "rows": [(contract, last_invoices.get(contract.pk)) for contract in page],
        "sort": filters.sort,
        "filter_query": form.query_without_page(),
    }
    return render(request, "contracts/contract_list.html", context)


@require_GET
@login_required
@permission_required("contracts.view_billingcontract", raise_exception=True)
def contract_detail(request, pk: int):
    """One contract: terms, lines, change log, schedules, invoices and audit trail."""
    contract = get_object_or_404(BillingContract.objects.select_related("customer"), pk=pk)
    context = {
        "contract": contract,
        "lines": contract_lines(contract=contract),
        "changes": contract_change_log(contract=contract),
        "schedules": contract_schedules(contract=contract, state=request.GET.get("schedules", "")),
        "invoices": contract_invoices(contract=contract),
        "invoices_past_end": contract_invoices_past_end(contract=contract),
        "audit_events": contract_audit_trail(contract=contract),
        "quantity_form": LineQuantityForm(initial={"effective_date": timezone.localdate()}),
    }
    return render(request, "contracts/contract_detail.html", context)


@require_POST
@login_required
@permission_required("contracts.change_contractline", raise_exception=True)
def line_quantity_change(request, pk: int):
    """Change a line's quantity from an effective date, recorded in the change log."""
    line = get_object_or_404(ContractLine.objects.select_related("contract"), pk=pk)
    form = LineQuantityForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("contracts:detail", pk=line.contract_id)
    before = line.quantity
    try:
        change = contract_line_change_quantity(line=line, user=request.user, **form.cleaned_data)
    except BillingError as error:
        messages.error(request, str(error))
        return redirect("contracts:detail", pk=line.contract_id)
    if change is None:
        messages.info(request, QUANTITY_UNCHANGED.format(description=line.description))
    else:
        messages.success(
            request,
            QUANTITY_CHANGED.format(
                description=line.description,
                before=f"{before.normalize():f}",
                after=f"{change.quantity_after.normalize():f}",
                day=date_format(change.effective_date),
            ),
        )
    return redirect("contracts:detail", pk=line.contract_id)
