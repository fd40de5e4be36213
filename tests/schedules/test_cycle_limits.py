"""The supported dates of the cycle arithmetic: inside them every cycle computed ahead stays
a real date; outside them a clear ValueError comes before any arithmetic."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedules import cycles
from schedules.cycles import FIRST_SUPPORTED_DAY, LAST_SUPPORTED_DAY, Frequency, Timing

# The furthest a page or the nightly job looks ahead of a cycle: 36 kept schedules
# (BillingSettings.schedules_ahead's maximum) and 12 more listed by Generate Invoice.
MOST_CYCLES_AHEAD = 36 + 12
supported_days = st.dates(min_value=FIRST_SUPPORTED_DAY, max_value=LAST_SUPPORTED_DAY)


@pytest.mark.parametrize(
    "day", [FIRST_SUPPORTED_DAY - timedelta(days=1), LAST_SUPPORTED_DAY + timedelta(days=1)]
)
def test_a_day_just_outside_the_supported_dates_is_refused_with_the_range(day):
    with pytest.raises(ValueError, match="outside the supported dates, 1900-01-01 to 9000-12-31"):
        cycles.validate_day(day)


@pytest.mark.parametrize("day", [FIRST_SUPPORTED_DAY, LAST_SUPPORTED_DAY])
def test_the_first_and_last_supported_days_are_accepted(day):
    cycles.validate_day(day)


def test_a_change_effective_on_9999_12_31_is_refused_before_the_arithmetic_overflows():
    with pytest.raises(ValueError, match="The date 9999-12-31 is outside the supported dates"):
        cycles.cycle_index_containing(date(2026, 1, 1), Frequency.MONTHLY, date(9999, 12, 31))


@pytest.mark.parametrize(
    "start, end", [(date(1899, 12, 31), None), (date(2026, 1, 1), date(9999, 12, 31))]
)
def test_terms_outside_the_supported_dates_are_refused(start, end):
    with pytest.raises(ValueError, match="outside the supported dates"):
        cycles.validate_terms(start, Frequency.ANNUAL, end)


@given(
    start=supported_days,
    day=supported_days,
    frequency=st.sampled_from(Frequency),
    timing=st.sampled_from(Timing),
    offset=st.integers(cycles.MIN_OFFSET_DAYS, cycles.MAX_OFFSET_DAYS),
)
def test_every_cycle_looked_ahead_of_a_supported_day_is_a_real_date(
    start, day, frequency, timing, offset
):
    index = cycles.cycle_index_containing(start, frequency, max(day, start))
    furthest = cycles.cycle_at(start, frequency, index + MOST_CYCLES_AHEAD)
    cycles.invoice_date(furthest, timing, offset)
    assert furthest.start > day
