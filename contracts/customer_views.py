"""The customer pages: the list, a customer's page (contracts, invoices, open balance per
currency, history), and creating or editing a customer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from billing_site.errors import BillingError
from contracts.forms import CustomerFilterForm, CustomerForm
from contracts.models import Customer
from contracts.selectors import customer_contracts, customer_history, customer_list_page
from contracts.services import customer_save
from invoicing.selectors.balances import customer_balances, customers_in_credit
from invoicing.selectors.invoice_list import InvoiceFilters, invoices_matching

INVOICES_SHOWN = 10
SAVED = _("Customer {name} saved.")


@require_GET
@login_required
@permission_required("contracts.view_customer", raise_exception=True)
def customer_list(request) -> HttpResponse:
    form = CustomerFilterForm(request.GET)
    page = customer_list_page(filters=form.filters(), page_number=request.GET.get("page"))
    in_credit = customers_in_credit(customer_ids=[customer.pk for customer in page])
    for customer in page:
        customer.in_credit = in_credit.get(customer.pk, [])
    return render(request, "contracts/customer_list.html", {"form": form, "page": page})


@require_GET
@login_required
@permission_required("contracts.view_customer", raise_exception=True)
def customer_detail(request, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    today = timezone.localdate()
    invoices = invoices_matching(InvoiceFilters(customer_id=customer.pk), today=today)
    context = {
        "customer": customer,
        "contracts": customer_contracts(customer=customer),
        "invoices": list(invoices[:INVOICES_SHOWN]),
        "open_balances": customer_balances(customer_id=customer.pk),
        "history": customer_history(customer=customer),
    }
    return render(request, "contracts/customer_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("contracts.add_customer", raise_exception=True)
def customer_create(request) -> HttpResponse:
    return _customer_form(request, Customer())


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("contracts.change_customer", raise_exception=True)
def customer_edit(request, pk: int) -> HttpResponse:
    return _customer_form(request, get_object_or_404(Customer, pk=pk))


def _customer_form(request, customer: Customer) -> HttpResponse:
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        try:
            with translation.override(None):  # the history keeps the labels in English
                labels = [str(form.fields[name].label) for name in form.changed_data]
            customer = customer_save(
                customer=form.instance, user=request.user, changed_labels=labels
            )
        except BillingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, SAVED.format(name=customer.name))
            return redirect("customers:detail", pk=customer.pk)
    status = 400 if form.is_bound else 200
    return render(request, "contracts/customer_form.html", {"form": form}, status=status)
