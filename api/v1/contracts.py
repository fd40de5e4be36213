"""Contracts: list (the contract list's filters), read with lines, create and edit through
the contract editor's service, end (End contract…), cancel, and a line's quantity change."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.idempotency import idempotent
from api.problems import problem_response
from api.v1 import contract_serializers as s
from api.v1.contract_edits import contract_fields_changed, line_edits
from api.v1.ending import (
    ContractEndedSerializer,
    ContractEndSerializer,
    EndPlanSerializer,
    end_plan_data,
)
from api.v1.ordering import StrictOrdering
from api.v1.queries import query_form
from contracts.forms import ContractFilterForm
from contracts.models import BillingContract, ContractLine
from contracts.selectors import contract_lines, contracts_matching
from invoicing.services.ending import EndPreviewOutdated, contract_end, contract_end_plan
from schedules.services import contract_cancel, contract_edit, contract_line_change_quantity

CHANGE_CONTRACT = ("contracts.change_billingcontract",)
SORT_NOT_HERE = "Order the API's lists with `ordering`: {fields} (each may start with -)."
FILTERS = [
    OpenApiParameter("q", str, description="Part of the contract number or customer name."),
    OpenApiParameter("status", str, enum=BillingContract.Status.values),
    OpenApiParameter("frequency", str, enum=BillingContract.Frequency.values),
    OpenApiParameter("timing", str, enum=BillingContract.Timing.values),
    OpenApiParameter("currency", str, description="A currency some contract is in."),
    OpenApiParameter("next_from", str, description="Next invoice date from (ISO date)."),
    OpenApiParameter("next_to", str, description="Next invoice date to (ISO date)."),
]


@extend_schema_view(
    list=extend_schema(parameters=FILTERS, responses=s.ContractSerializer(many=True)),
    retrieve=extend_schema(responses=s.ContractDetailSerializer),
    create=extend_schema(
        request=s.ContractCreateSerializer, responses={201: s.ContractDetailSerializer}
    ),
    partial_update=extend_schema(
        request=s.ContractUpdateSerializer, responses=s.ContractDetailSerializer
    ),
)
class ContractViewSet(viewsets.GenericViewSet):
    queryset = BillingContract.objects.select_related("customer")
    serializer_class = s.ContractSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends = [StrictOrdering]
    # Unique or nearly so, and never null: what cursor pages can order by.
    ordering_fields = ["number", "start_date", "created_at", "id"]
    ordering = ["number"]
    action_permissions = {
        "end": CHANGE_CONTRACT,
        "cancel": CHANGE_CONTRACT,
        "line_quantity": ("contracts.change_contractline",),
    }

    def list(self, request):
        if "sort" in request.query_params:
            fields = ", ".join(self.ordering_fields)
            raise serializers.ValidationError({"sort": [SORT_NOT_HERE.format(fields=fields)]})
        form = query_form(request, ContractFilterForm)
        contracts = self.filter_queryset(contracts_matching(form.filters()))
        page = self.paginate_queryset(contracts)
        return self.get_paginated_response(s.ContractSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self._detail(self.get_object()))

    def create(self, request):
        return idempotent(request, lambda: self._create(request))

    def partial_update(self, request, pk=None):
        contract = self.get_object()
        serializer = s.ContractUpdateSerializer(contract, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        edits = line_edits(contract, data.pop("lines", []))
        changed = contract_fields_changed(contract, data)
        labels = [str(BillingContract._meta.get_field(name).verbose_name) for name in changed]
        if any(edit.changed_fields for edit in edits):
            labels.append("Lines")
        contract_edit(
            contract=contract,
            changed_fields=changed,
            lines=edits,
            user=request.user,
            change_message=[{"changed": {"fields": labels}}],
        )
        return Response(self._detail(contract))

    @extend_schema(
        request=ContractEndSerializer,
        responses={
            200: PolymorphicProxySerializer(
                component_name="ContractEndAnswer",
                serializers=[EndPlanSerializer, ContractEndedSerializer],
                resource_type_field_name=None,
                many=False,
            )
        },
        description="Set, move or remove the end date as End contract… does: with `preview`, "
        "the plan (credit notes of unused days, invoices voided or billing days again, "
        "schedules cut, cancelled or re-opened) and its fingerprint; without, the plan is "
        "written, given the previewed fingerprint (409 with the new plan if it changed).",
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        contract = self.get_object()
        serializer = ContractEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        end_date = serializer.validated_data["end_date"]
        if serializer.validated_data["preview"]:
            plan = contract_end_plan(contract=contract, end_date=end_date)
            return Response(EndPlanSerializer(end_plan_data(plan, contract.currency)).data)
        return idempotent(
            request,
            lambda: self._end(request, contract, end_date, serializer.validated_data),
        )

    @extend_schema(
        request=None,
        responses=s.ContractDetailSerializer,
        description="A draft or active contract with no invoiced cycle becomes Cancelled and "
        "its Pending schedules are cancelled; one with an invoiced cycle is ended instead.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        contract = self.get_object()
        if request.data:
            raise serializers.ValidationError({"non_field_errors": ["Send no body."]})
        contract_cancel(contract=contract, user=request.user)
        contract.refresh_from_db()
        return Response(self._detail(contract))

    @extend_schema(request=s.LineQuantitySerializer, responses=s.LineQuantityChangedSerializer)
    @action(detail=True, methods=["post"], url_path=r"lines/(?P<line_id>\d+)/quantity")
    def line_quantity(self, request, pk=None, line_id=None):
        contract = self.get_object()
        line = get_object_or_404(ContractLine, pk=int(line_id), contract=contract)
        line.contract = contract
        serializer = s.LineQuantitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return idempotent(request, lambda: self._quantity(request, line, serializer.validated_data))

    def _create(self, request) -> Response:
        serializer = s.ContractCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        contract = BillingContract(**_without(data, "lines"))
        edits = line_edits(contract, data.get("lines", []))
        contract_edit(
            contract=contract, changed_fields=set(data) - {"lines"}, lines=edits, user=request.user
        )
        return Response(self._detail(contract), status=status.HTTP_201_CREATED)

    def _end(self, request, contract: BillingContract, end_date, data) -> Response:
        try:
            plan = contract_end(
                contract=contract,
                end_date=end_date,
                user=request.user,
                expected_fingerprint=data.get("fingerprint") or "",
            )
        except EndPreviewOutdated as outdated:
            contract.refresh_from_db()
            problem = problem_response(409, detail=str(outdated), request=request)
            new_plan = contract_end_plan(contract=contract, end_date=end_date)
            problem.data["plan"] = EndPlanSerializer(
                end_plan_data(new_plan, contract.currency)
            ).data
            return problem
        contract.refresh_from_db()
        answer = {
            "plan": end_plan_data(plan, contract.currency),
            "contract_id": contract.pk,
            "end_date": contract.end_date,
            "status": contract.status,
        }
        return Response(ContractEndedSerializer(answer).data)

    def _quantity(self, request, line: ContractLine, data) -> Response:
        change = contract_line_change_quantity(line=line, user=request.user, **data)
        line.refresh_from_db()
        answer = {"changed": change is not None, "change": change, "line": line}
        return Response(s.LineQuantityChangedSerializer(answer).data)

    def _detail(self, contract: BillingContract) -> dict:
        contract.lines_shown = contract_lines(contract=contract)
        return s.ContractDetailSerializer(contract).data


def _without(data: dict, name: str) -> dict:
    return {key: value for key, value in data.items() if key != name}
