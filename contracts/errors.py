"""What the contract rules refuse, as messages the doors show."""

from billing_site.errors import _

TERMS_LOCKED = _(
    "The start date and billing frequency cannot change once a cycle has been invoiced: "
    "they define the cycles already billed."
)
QUANTITY_NEGATIVE = _("A quantity cannot be below zero.")
EFFECTIVE_DATE_OUTSIDE_CONTRACT = _(
    "The effective date {day} is outside the contract ({start} to {end})."
)
START_AFTER_CHANGE = _(
    "The contract cannot start on {start}: a quantity change is recorded from {day}, before "
    "it. Start it on {day} at the latest."
)
EFFECTIVE_DATE_IN_CANCELLED_CYCLE = _(
    "The effective date {day} falls in a cancelled billing cycle: nothing there is billed."
)
VAT_ID_INVALID = _("{vat_id} is not a valid EU VAT ID: check its country prefix and digits.")
VAT_ID_OTHER_COUNTRY = _(
    "VAT ID {vat_id} belongs to another country than the customer's ({country})."
)
VAT_ID_UNREADABLE = _(
    "{vat_id} does not read as a VAT ID: start with the two-letter country prefix, 4 to 20 "
    "letters and digits in all."
)
SELLER_ADDRESS_TOO_LONG = _(
    "Give at most {lines} address lines (street, building); postcode, city and country have "
    "fields of their own."
)
IBAN_INVALID = _("{iban} is not a valid IBAN: check its country prefix, length and check digits.")
BIC_INVALID = _(
    "{bic} is not a valid BIC: 8 or 11 letters and digits, e.g. DEUTDEFF or DEUTDEFF500."
)
END_DATE_THROUGH_END_CONTRACT = _(
    "Contract {number} has invoiced cycles: its end date is set with End contract…, which "
    "previews and issues the credit notes or the invoice it takes. Nothing was saved."
)
CANCEL_INVOICED = _(
    "Contract {number} has invoiced cycles: it cannot be cancelled. End it instead (End "
    "contract…), which credits the invoiced days after its end."
)
CANCEL_NOT_OPEN = _(
    "Contract {number} is {status}: only a draft or active contract can be cancelled."
)
