"""What the contract rules refuse, as messages the doors show."""

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
