"""Payment gateways for Auto-Charge, chosen by BILLING_PAYMENT_GATEWAY."""

from __future__ import annotations

from django.conf import settings

from invoicing.post_invoicing import errors
from invoicing.post_invoicing.errors import PermanentError
from invoicing.post_invoicing.gateways.base import (
    ChargeRequest,
    ChargeResult,
    ChargeStatus,
    PaymentGateway,
)
from invoicing.post_invoicing.gateways.manual import ManualGateway

__all__ = [
    "ChargeRequest",
    "ChargeResult",
    "ChargeStatus",
    "PaymentGateway",
    "payment_gateway_get",
]


def payment_gateway_get(name: str | None = None) -> PaymentGateway:
    """The gateway called `name`, by default the one chosen in settings."""
    name = name or settings.BILLING_PAYMENT_GATEWAY
    if name == ManualGateway.name:
        return ManualGateway()
    if name == "stripe":
        # Imported here: only deployments that charge through Stripe load its package.
        from invoicing.post_invoicing.gateways.stripe import StripeGateway

        if not settings.STRIPE_API_KEY:
            raise PermanentError(errors.STRIPE_NOT_CONFIGURED)
        return StripeGateway(
            api_key=settings.STRIPE_API_KEY,
            api_base=settings.STRIPE_API_BASE,
            timeout=settings.STRIPE_TIMEOUT_SECONDS,
        )
    raise PermanentError(errors.UNKNOWN_GATEWAY.format(name=name))
