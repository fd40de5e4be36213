"""The Stripe gateway: an off-session PaymentIntent on the customer's saved payment method.

Through the official `stripe` package. The idempotency key goes with every attempt, so
Stripe answers a retry with the first PaymentIntent instead of charging again. The
package's own network retries are off: our task retries, with the same key, are the
one retry policy.
"""

from __future__ import annotations

from decimal import Decimal

import stripe
from stripe.params import PaymentIntentCreateParams

from billing_site.locales import site_locale
from invoicing.money import minor_unit
from invoicing.money_format import format_price
from invoicing.post_invoicing import errors
from invoicing.post_invoicing.errors import PermanentError, TransientError
from invoicing.post_invoicing.gateways.base import ChargeRequest, ChargeResult, ChargeStatus

# Answers that say "not now" rather than "no": conflict (the same key in flight),
# rate limited, and server errors.
TRANSIENT_HTTP = {409, 429}
INTENT_STATUS = {
    "succeeded": ChargeStatus.SUCCEEDED,
    "processing": ChargeStatus.PROCESSING,
}
NEEDS_AUTHENTICATION = "the bank asks the customer to authenticate the payment (3-D Secure)"


class StripeGateway:
    name = "stripe"

    def __init__(self, *, api_key: str, api_base: str, timeout: float) -> None:
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base},
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

    def charge(self, request: ChargeRequest) -> ChargeResult:
        customer = request.customer
        if not (customer.stripe_customer_id and customer.stripe_payment_method_id):
            raise PermanentError(errors.NO_PAYMENT_METHOD.format(customer=customer.name))
        params: PaymentIntentCreateParams = {
            "amount": minor_units(request.amount, request.currency),
            "currency": request.currency.lower(),
            "customer": customer.stripe_customer_id,
            "payment_method": customer.stripe_payment_method_id,
            "off_session": True,
            "confirm": True,
            "description": request.description,
            "metadata": {"invoice_number": request.invoice_number},
        }
        try:
            intent = self.client.v1.payment_intents.create(
                params=params, options={"idempotency_key": request.idempotency_key}
            )
        except stripe.CardError as error:
            return ChargeResult(
                ChargeStatus.DECLINED, reference=_intent_id(error), error=_decline_reason(error)
            )
        except stripe.StripeError as error:
            raise _classify(error) from error
        return _result(intent)

    def refresh(self, reference: str) -> ChargeResult:
        try:
            intent = self.client.v1.payment_intents.retrieve(reference)
        except stripe.StripeError as error:
            raise _classify(error) from error
        return _result(intent)


def minor_units(amount: Decimal, currency: str) -> int:
    """The amount in the currency's smallest unit, as Stripe wants it: EUR 12.50 -> 1250."""
    units = amount.scaleb(minor_unit(currency))
    if units != units.to_integral_value():
        # A price-style amount keeps every decimal: the stray one is what the message shows.
        shown = format_price(amount, currency, site_locale())
        raise PermanentError(f"{shown} is not a whole number of minor units.")
    return int(units)


def _result(intent: stripe.PaymentIntent) -> ChargeResult:
    status = INTENT_STATUS.get(intent.status)
    if status is not None:
        return ChargeResult(status, reference=intent.id)
    reason = (
        NEEDS_AUTHENTICATION
        if intent.status == "requires_action"
        else f"the payment ended as “{intent.status}”"
    )
    return ChargeResult(ChargeStatus.DECLINED, reference=intent.id, error=reason)


def _classify(error: stripe.StripeError) -> Exception:
    status = error.http_status
    transient = (
        isinstance(error, stripe.APIConnectionError | stripe.RateLimitError)
        or status is None
        or status >= 500
        or status in TRANSIENT_HTTP
    )
    reason = error.user_message or str(error) or type(error).__name__
    if transient:
        return TransientError(errors.GATEWAY_UNAVAILABLE.format(reason=reason))
    return PermanentError(errors.GATEWAY_REFUSED.format(reason=reason))


def _intent_id(error: stripe.CardError) -> str:
    intent = getattr(error.error, "payment_intent", None) if error.error else None
    return getattr(intent, "id", "") or ""


def _decline_reason(error: stripe.CardError) -> str:
    code = getattr(error.error, "decline_code", None) or error.code or "card_declined"
    return f"{error.user_message or 'the card was declined'} ({code})"
