from django.urls import re_path
from rest_framework.routers import SimpleRouter

from api.v1 import contracts, customers, cycles, invoices, runs, schedules

router = SimpleRouter(trailing_slash="/?")
router.register("customers", customers.CustomerViewSet, basename="customer")
router.register("invoices", invoices.InvoiceViewSet, basename="invoice")
router.register("credit-notes", invoices.CreditNoteViewSet, basename="credit-note")
router.register("schedules", schedules.ScheduleViewSet, basename="schedule")
router.register("contracts", contracts.ContractViewSet, basename="contract")
router.register("runs", runs.RunViewSet, basename="run")
# A contract's cycles, their preview and generation (api/v1/cycles.py).
CYCLES = r"^contracts/(?P<contract_pk>[0-9]+)/cycles"

urlpatterns = [
    *router.urls,
    re_path(rf"{CYCLES}/?$", cycles.CycleViewSet.as_view({"get": "list"}), name="contract-cycles"),
    re_path(
        rf"{CYCLES}/(?P<cycle>[0-9]+)/preview/?$",
        cycles.CycleViewSet.as_view({"post": "preview"}),
        name="contract-cycle-preview",
    ),
    re_path(
        rf"{CYCLES}/(?P<cycle>[0-9]+)/generate/?$",
        cycles.CycleViewSet.as_view({"post": "generate"}),
        name="contract-cycle-generate",
    ),
]
