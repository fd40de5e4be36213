"""Customers: list (the customer list's search and filters), read, create, update."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.filters import OrderingFilter

from api.serializers import StrictModelSerializer
from api.v1.queries import query_form
from contracts.forms import CustomerFilterForm
from contracts.models import Customer
from contracts.selectors import customers_matching
from contracts.services import customer_save


class CustomerSerializer(StrictModelSerializer):
    country = serializers.CharField(
        max_length=2, allow_blank=True, required=False, help_text="ISO 3166 alpha-2 code."
    )
    # Counted by the list's query; null where no count was made (a created customer). Not
    # IntegerField(default=None): DRF leaves such a field out of a PATCH's answer.
    contract_count = serializers.SerializerMethodField()
    active_contract_count = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = (
            "id",
            "name",
            "billing_email",
            "address",
            "country",
            "vat_id",
            "language",
            "contract_count",
            "active_contract_count",
            "created_at",
        )
        read_only_fields = ("id", "created_at")

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_contract_count(self, customer: Customer) -> int | None:
        return getattr(customer, "contract_count", None)

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_active_contract_count(self, customer: Customer) -> int | None:
        return getattr(customer, "active_contract_count", None)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["country"] = instance.country.code or ""
        return data


FILTERS = [
    OpenApiParameter("q", str, description="Part of the legal name, billing email or VAT ID."),
    OpenApiParameter("country", str, description="ISO 3166 alpha-2 code."),
    OpenApiParameter("language", str, enum=["en", "fr", "de"]),
]


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CustomerSerializer
    queryset = Customer.objects.all()
    filter_backends = [OrderingFilter]
    ordering_fields = ["name", "id", "created_at"]
    ordering = ["name", "id"]

    def get_queryset(self):
        if self.action == "list":
            form = query_form(self.request, CustomerFilterForm)
            return customers_matching(form.filters())
        return Customer.objects.all()

    def perform_create(self, serializer):
        serializer.instance = customer_save(
            customer=Customer(**serializer.validated_data), user=self.request.user
        )

    def perform_update(self, serializer):
        customer = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(customer, field, value)
        labels = [
            str(Customer._meta.get_field(name).verbose_name) for name in serializer.validated_data
        ]
        serializer.instance = customer_save(
            customer=customer, user=self.request.user, changed_labels=labels
        )
