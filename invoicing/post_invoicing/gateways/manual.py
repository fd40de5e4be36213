"""The manual gateway, the default: the customer pays by bank transfer, quoting the
invoice number; a person records the transfer when it arrives."""

from __future__ import annotations

from invoicing.post_invoicing.gateways.base import ChargeRequest, ChargeResult, ChargeStatus


class ManualGateway:
    name = "manual"

    def charge(self, request: ChargeRequest) -> ChargeResult:
        return ChargeResult(ChargeStatus.AWAITING_TRANSFER, reference=request.invoice_number)

    def refresh(self, reference: str) -> ChargeResult:
        return ChargeResult(ChargeStatus.AWAITING_TRANSFER, reference=reference)
