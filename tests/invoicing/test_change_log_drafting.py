"""The pure change-log drafting: which invoice line a decrease takes back from (no database)."""

import datetime

import pytest

from invoicing.decrease_credits import CreditedLine, CreditTarget

D = datetime.date
# March's invoice: seats in two segments (a change known when it was generated), support whole.
MARCH = CreditTarget(
    invoice_id=1,
    number="INV-000001",
    lines=(
        CreditedLine(11, contract_line_id=7, period_start=D(2026, 3, 1), period_end=D(2026, 3, 4)),
        CreditedLine(12, contract_line_id=7, period_start=D(2026, 3, 5), period_end=D(2026, 3, 31)),
        CreditedLine(13, contract_line_id=8, period_start=D(2026, 3, 1), period_end=D(2026, 3, 31)),
    ),
)


@pytest.mark.parametrize(
    ("contract_line_id", "day", "expected"),
    [
        (7, D(2026, 3, 1), 11),  # first day of the first segment
        (7, D(2026, 3, 4), 11),  # its last day
        (7, D(2026, 3, 5), 12),  # the next segment from its first day
        (7, D(2026, 3, 31), 12),
        (8, D(2026, 3, 10), 13),
        (7, D(2026, 4, 2), 12),  # no segment holds the day: the line's last one
        (9, D(2026, 3, 10), None),  # a line the invoice never billed
    ],
)
def test_a_decrease_takes_back_from_the_segment_holding_its_day(contract_line_id, day, expected):
    assert MARCH.line_for(contract_line_id, day) == expected
