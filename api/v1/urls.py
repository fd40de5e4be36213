from rest_framework.routers import SimpleRouter

from api.v1 import customers, invoices, schedules

router = SimpleRouter(trailing_slash="/?")
router.register("customers", customers.CustomerViewSet, basename="customer")
# Invoices, credit notes and schedules (helper "api-core").
router.register("invoices", invoices.InvoiceViewSet, basename="invoice")
router.register("credit-notes", invoices.CreditNoteViewSet, basename="credit-note")
router.register("schedules", schedules.ScheduleViewSet, basename="schedule")

urlpatterns = router.urls
