"""A contract's billing cycles (what Generate Invoice lists), a cycle's preview, and its
generation, with an Idempotency-Key: the same key never makes a second invoice."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.response import Response

from api.idempotency import KEY_HEADER, idempotent
from api.problems import RULE_REFUSED, problem_response
from api.serializers import StrictSerializer
from api.v1.drafts import DraftSerializer, draft_data
from api.v1.generation import (
    CycleSerializer,
    GeneratedSerializer,
    GenerateSerializer,
    PreviewSerializer,
    cycle_data,
    form_data,
    generated_data,
)
from contracts.models import BillingContract
from invoicing.errors import PreviewOutdated
from invoicing.forms import GenerateInvoiceForm
from invoicing.post_invoicing.scheduling import post_tasks_not_queued
from invoicing.selectors.cycles import contract_cycle_choices, cycle_review
from invoicing.services.manual import cycle_invoice_generate

GENERATE = ("invoicing.generate_invoice",)
NOT_A_CYCLE = "Cycle {index} is not a billing cycle of contract {number}."
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    KEY_HEADER,
    str,
    location=OpenApiParameter.HEADER,
    description="Any unique string (a UUID): the same key and body return the first answer, "
    "never a second invoice; kept 24 hours.",
)
CONTRACT = OpenApiParameter("contract_pk", int, location=OpenApiParameter.PATH)
CYCLE = OpenApiParameter(
    "cycle", int, location=OpenApiParameter.PATH, description="Its index, from 0."
)


class EmptySerializer(StrictSerializer):
    """No fields: a preview is asked by its address alone."""


class CycleViewSet(viewsets.GenericViewSet):
    queryset = BillingContract.objects.select_related("customer")
    pagination_class = None
    action_permissions = {
        "list": ("contracts.view_billingcontract", "schedules.view_billingschedule"),
        "preview": GENERATE,
        "generate": GENERATE,
    }

    @extend_schema(parameters=[CONTRACT], responses=CycleSerializer(many=True))
    def list(self, request, contract_pk: str):
        contract = self._contract(contract_pk)
        as_of = timezone.localdate()
        choices = contract_cycle_choices(contract=contract, as_of=as_of)
        rows = [cycle_data(choice, choices.current, as_of) for choice in choices.choices]
        return Response(CycleSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[CONTRACT, CYCLE], request=EmptySerializer, responses=PreviewSerializer
    )
    def preview(self, request, contract_pk: str, cycle: str):
        EmptySerializer(data=request.data or {}).is_valid(raise_exception=True)
        contract, as_of, cycle = self._contract(contract_pk), timezone.localdate(), int(cycle)
        review = cycle_review(contract=contract, as_of=as_of, cycle_index=cycle, with_preview=True)
        if review.asked_cycle_unknown:
            raise exceptions.NotFound(NOT_A_CYCLE.format(index=cycle, number=contract.number))
        answer = {
            "cycle": cycle_data(review.choice, review.choices.current, as_of),
            "draft": draft_data(review.draft) if review.draft else None,
            "fingerprint": review.draft.fingerprint() if review.draft else None,
            "refusal": review.generate_refusal,
            "needs_replace": review.choice.invoice is not None,
            "needs_proceed": review.choice.starts_after_today,
            "ahead_of_schedule": review.ahead_of_schedule,
            "due_before_period": review.due_before_period,
        }
        return Response(PreviewSerializer(answer).data)

    @extend_schema(
        request=GenerateSerializer,
        parameters=[CONTRACT, CYCLE, IDEMPOTENCY_PARAMETER],
        responses={201: GeneratedSerializer},
        description="Generate the cycle's invoice as Generate Invoice does. A stale "
        "`fingerprint` is a 409 problem carrying the new `draft`; a cycle starting after "
        "today needs `proceed`; an invoiced one needs `replace`.",
    )
    def generate(self, request, contract_pk: str, cycle: str):
        contract = self._contract(contract_pk)
        serializer = GenerateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return idempotent(
            request,
            lambda: self._generate(request, contract, int(cycle), serializer.validated_data),
        )

    def _generate(self, request, contract: BillingContract, cycle: int, data) -> Response:
        as_of = timezone.localdate()
        choices = contract_cycle_choices(contract=contract, as_of=as_of)
        choice = choices.get(cycle)
        if choice is None:
            raise exceptions.NotFound(NOT_A_CYCLE.format(index=cycle, number=contract.number))
        form = GenerateInvoiceForm(
            form_data(contract, choice, data), contract=contract, choices=choices
        )
        if not form.is_valid():
            detail = " ".join(form.refusals())
            errors = {name: list(messages) for name, messages in form.errors.items()}
            return problem_response(RULE_REFUSED, detail=detail, errors=errors, request=request)
        try:
            invoice = cycle_invoice_generate(
                contract=contract, as_of=as_of, user=request.user, **form.generation_arguments()
            )
        except PreviewOutdated as outdated:
            problem = problem_response(
                status.HTTP_409_CONFLICT, detail=str(outdated), request=request
            )
            problem.data["draft"] = DraftSerializer(draft_data(outdated.draft)).data
            return problem
        answer = generated_data(invoice, cycle, post_tasks_not_queued(invoice_id=invoice.pk))
        return Response(GeneratedSerializer(answer).data, status=status.HTTP_201_CREATED)

    def _contract(self, pk: str) -> BillingContract:
        return get_object_or_404(self.get_queryset(), pk=int(pk))
