"""The contract list and the contract page: read-only, for anyone who may view contracts."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from contracts.forms import ContractFilterForm
from contracts.models import BillingContract
from contracts.selectors import contract_list_page, contract_overview


@require_GET
@login_required
@permission_required("contracts.view_billingcontract", raise_exception=True)
def contract_list(request):
    """Search, filter, sort and page through the contracts."""
    form = ContractFilterForm(request.GET)
    filters = form.filters()
    page = contract_list_page(filters=filters, page_number=request.GET.get("page"))
    return render(
        request, "contracts/contract_list.html", {"form": form, "page": page, "sort": filters.sort}
    )


@require_GET
@login_required
@permission_required("contracts.view_billingcontract", raise_exception=True)
def contract_detail(request, pk: int):
    """One contract: terms, lines, change log, schedules, invoices and audit trail."""
    contract = get_object_or_404(BillingContract.objects.select_related("customer"), pk=pk)
    overview = contract_overview(contract=contract, schedule_state=request.GET.get("schedules", ""))
    return render(
        request, "contracts/contract_detail.html", {"overview": overview, "contract": contract}
    )
