"""Billing errors raised by the services; doors turn them into messages."""


class BillingError(Exception):
    """A request the billing rules refuse. The message is meant for the person who asked."""


TERMS_LOCKED = (
    "The start date and billing frequency cannot change once a cycle has been invoiced: "
    "they define the cycles already billed."
)
QUANTITY_NEGATIVE = "A quantity cannot be below zero."
EFFECTIVE_DATE_OUTSIDE_CONTRACT = (
    "The effective date {day} is outside the contract ({start} to {end})."
)
EFFECTIVE_DATE_IN_CANCELLED_CYCLE = (
    "The effective date {day} falls in a cancelled billing cycle: nothing there is billed."
)
