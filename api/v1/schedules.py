"""Billing schedules: the schedules page's filters (Active / Inactive, status, due, one
contract...) and its selector, in cursor pages; one schedule."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from api.ordering import StrictOrderingFilter
from api.v1.queries import query_form
from contracts.models import BillingContract
from schedules.forms import ScheduleFilterForm
from schedules.models import BillingSchedule
from schedules.selectors import schedules_matching


class ScheduleSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    customer_name = serializers.CharField(source="contract.customer.name", read_only=True)
    state = serializers.SerializerMethodField(help_text="Active (Pending) or Inactive.")
    resulting_invoice_number = serializers.CharField(
        source="resulting_invoice.number", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = BillingSchedule
        fields = (
            "id",
            "contract",
            "contract_number",
            "customer_name",
            "cycle_index",
            "period_start",
            "period_end",
            "next_invoice_date",
            "invoice_date",
            "state",
            "status",
            "resulting_invoice",
            "resulting_invoice_number",
            "updated_at",
        )
        read_only_fields = fields

    def get_state(self, schedule: BillingSchedule) -> str:
        return "active" if schedule.is_active else "inactive"


FILTERS = [
    OpenApiParameter(
        "state", str, enum=["active", "inactive"], description="Inactive when left out."
    ),
    OpenApiParameter(
        "status", str, enum=["invoiced", "cancelled"], description="Of Inactive schedules."
    ),
    OpenApiParameter(
        "due",
        bool,
        description="Only the due ones: Pending, of an active contract, Invoice Date today "
        "or before (the billing time zone's today); implies state=active.",
    ),
    OpenApiParameter("contract", int, description="One contract's schedules (its id)."),
    OpenApiParameter("q", str, description="Part of the contract number or customer name."),
    OpenApiParameter("frequency", str, enum=BillingContract.Frequency.values),
    OpenApiParameter("invoice_from", OpenApiTypes.DATE, description="Invoice Date from."),
    OpenApiParameter("invoice_to", OpenApiTypes.DATE, description="Invoice Date to."),
    OpenApiParameter(
        "month_boundary", bool, description="Invoice Date in another month than its anchor."
    ),
]


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class ScheduleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ScheduleSerializer
    queryset = BillingSchedule.objects.select_related("contract__customer", "resulting_invoice")
    filter_backends = [StrictOrderingFilter]
    ordering_fields = ["id"]  # unique: see api.ordering
    ordering = ["-id"]
    lookup_value_regex = "[0-9]{1,18}"  # any other id is an unknown address: a 404 problem

    def get_queryset(self):
        if self.action == "list":
            return schedules_matching(query_form(self.request, ScheduleFilterForm).filters())
        return self.queryset
