"""The payment gateway interface: what Auto-Charge asks of any gateway."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the gateways read the customer; only its type is needed here
    from contracts.models import Customer


class ChargeStatus(enum.StrEnum):
    SUCCEEDED = "succeeded"
    PROCESSING = "processing"  # accepted, settles later (bank debits): ask again later
    AWAITING_TRANSFER = "awaiting_transfer"  # the customer pays by transfer
    DECLINED = "declined"


@dataclass(frozen=True)
class ChargeRequest:
    invoice_number: str
    amount: Decimal
    currency: str
    # The same key for every attempt of one charge: the gateway then charges once.
    idempotency_key: str
    customer: Customer
    description: str


@dataclass(frozen=True)
class ChargeResult:
    status: ChargeStatus
    reference: str = ""
    error: str = ""


class PaymentGateway(Protocol):
    """Charges raise TransientError (try again) or PermanentError (a person must act);
    a decline is a result, not an error, so that it is recorded on the payment."""

    name: str

    def charge(self, request: ChargeRequest) -> ChargeResult: ...

    def refresh(self, reference: str) -> ChargeResult:
        """The current state of a charge the gateway is still processing."""
        ...
