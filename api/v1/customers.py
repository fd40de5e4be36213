"""Customers: list (the customer list's search and filters), read, create, update."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
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
    contract_count = serializers.IntegerField(read_only=True, default=None)
    active_contract_count = serializers.IntegerField(read_only=True, default=None)

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
