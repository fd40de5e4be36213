"""The pure cycle module: cycles, anchors, invoice dates, proration, quantity segments.

No database: every test works on plain dates.
"""

import ast
import calendar
import subprocess
import sys
from datetime import date, timedelta
from fractions import Fraction
from itertools import islice, pairwise
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from schedules import cycles
from schedules.cycles import (
    Cycle,
    Frequency,
    Timing,
    cycle_at,
    cycle_containing,
    invoice_date,
    iter_cycles,
    next_invoice_date,
    proration,
    quantity_segments,
    remaining_proration,
)

M, Q, S, A, T = Frequency  # monthly, quarterly, semi-annual, annual, triennial
ADV, ARR = Timing.ADVANCE, Timing.ARREARS
ONE_DAY = timedelta(days=1)
d = date.fromisoformat


def j(day: int) -> date:
    """A day of January 2020."""
    return date(2020, 1, day)


JAN = cycle_at(j(1), M, 0)
JAN_CUT_15 = cycle_at(j(1), M, 0, j(15))


def span(text: str) -> tuple[date, date]:
    first, last = text.split("..")
    return d(first), d(last)


# --- The seeds' offset table: monthly from 2020-01-01 ------------------------------------------


def test_monthly_cycle_zero_from_jan_1_is_january():
    assert Cycle(0, j(1), j(31), j(31)) == JAN
    assert (JAN.days, JAN.full_days, JAN.is_cut) == (31, 31, False)


@pytest.mark.parametrize(
    "timing, index, offset, expected",
    [
        (ADV, 2, -3, "2020-02-27"),  # Mar 1 - 3 in a leap year
        (ADV, 14, -3, "2021-02-26"),  # Mar 1 - 3 in a common year
        (ARR, 1, -2, "2020-02-27"),  # Feb 29 - 2
        (ARR, 1, +1, "2020-03-01"),  # the day after Feb 29
        (ARR, 11, +1, "2021-01-01"),  # across the year end
        (ADV, 0, +1, "2020-01-02"),  # the default offset
        (ADV, 0, +3, "2020-01-04"),
        (ADV, 4, -3, "2020-04-28"),
        (ADV, 5, -3, "2020-05-29"),
        (ARR, 0, -2, "2020-01-29"),
        (ARR, 0, -3, "2020-01-28"),
        (ARR, 3, -2, "2020-04-28"),
        (ARR, 0, +1, "2020-02-01"),
        (ARR, 0, +2, "2020-02-02"),
        (ARR, 4, +2, "2020-06-02"),
    ],
)
def test_invoice_date_is_next_invoice_date_plus_offset(timing, index, offset, expected):
    cycle = cycle_at(j(1), M, index)
    assert invoice_date(cycle, timing, offset) == d(expected)
    assert invoice_date(cycle, timing.value, offset) == d(expected)
    assert cycle == cycle_at(j(1), M, index)  # the offset never moves the period


def test_next_invoice_date_is_cycle_start_in_advance_and_cut_end_in_arrears():
    assert (next_invoice_date(JAN, ADV), next_invoice_date(JAN, ARR)) == (j(1), j(31))
    assert (next_invoice_date(JAN_CUT_15, ADV), next_invoice_date(JAN_CUT_15, ARR)) == (j(1), j(15))


# --- Anchoring: month ends and leap years, every frequency -------------------------------------


def test_frequency_months_monthly_1_quarterly_3_semi_annual_6_annual_12_triennial_36():
    assert [f.months for f in (M, Q, S, A, T)] == [1, 3, 6, 12, 36]


@pytest.mark.parametrize(
    "start, frequency, index, expected",
    [
        ("2024-01-31", M, 0, "2024-01-31..2024-02-28"),
        ("2024-01-31", M, 1, "2024-02-29..2024-03-30"),
        ("2024-01-31", M, 2, "2024-03-31..2024-04-29"),
        ("2023-01-31", M, 1, "2023-02-28..2023-03-30"),
        ("2023-01-31", M, 13, "2024-02-29..2024-03-30"),
        ("2024-02-29", M, 1, "2024-03-29..2024-04-28"),
        ("2024-02-29", M, 12, "2025-02-28..2025-03-28"),
        ("2023-08-31", Q, 1, "2023-11-30..2024-02-28"),
        ("2023-08-31", Q, 2, "2024-02-29..2024-05-30"),
        ("2023-11-30", Q, 1, "2024-02-29..2024-05-29"),
        ("2023-08-31", S, 1, "2024-02-29..2024-08-30"),
        ("2023-08-31", S, 2, "2024-08-31..2025-02-27"),
        ("2021-03-31", S, 1, "2021-09-30..2022-03-30"),
        ("2024-02-29", A, 0, "2024-02-29..2025-02-27"),
        ("2024-02-29", A, 1, "2025-02-28..2026-02-27"),
        ("2024-02-29", A, 3, "2027-02-28..2028-02-28"),
        ("2024-02-29", A, 4, "2028-02-29..2029-02-27"),
        ("2024-02-29", T, 1, "2027-02-28..2030-02-27"),
        ("2024-02-29", T, 4, "2036-02-29..2039-02-27"),
        ("2020-01-01", Q, 1, "2020-04-01..2020-06-30"),
        ("2020-01-01", T, 1, "2023-01-01..2025-12-31"),
    ],
)
def test_cycle_k_is_counted_from_the_contract_start_each_time(start, frequency, index, expected):
    cycle = cycle_at(d(start), frequency, index)
    assert (cycle.index, (cycle.start, cycle.end)) == (index, span(expected))
    assert cycle.full_end == cycle.end and not cycle.is_cut
    assert cycle.end == cycle_at(d(start), frequency, index + 1).start - ONE_DAY


def test_cycle_from_jan_31_anchors_on_month_end_without_drift():
    starts = [c.start.isoformat() for c in islice(iter_cycles(d("2024-01-31"), M), 5)]
    assert starts == ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"]


@pytest.mark.parametrize(
    "frequency, end, expected",
    [
        (M, "2020-02-29", ["2020-01-01..2020-01-31", "2020-02-01..2020-02-29"]),
        (M, "2020-02-01", ["2020-01-01..2020-01-31", "2020-02-01..2020-02-01"]),
        (M, "2020-01-01", ["2020-01-01..2020-01-01"]),
        (M, "2020-02-15", ["2020-01-01..2020-01-31", "2020-02-01..2020-02-15"]),
        (Q, "2020-02-15", ["2020-01-01..2020-02-15"]),
        (A, "2021-06-30", ["2020-01-01..2020-12-31", "2021-01-01..2021-06-30"]),
    ],
)
def test_last_cycle_is_cut_at_end_date_and_full_end_keeps_the_uncut_end(frequency, end, expected):
    found = list(iter_cycles(j(1), frequency, d(end)))
    assert [(c.start, c.end) for c in found] == [span(text) for text in expected]
    assert all(not c.is_cut and c.end == c.full_end for c in found[:-1])
    uncut = cycle_at(j(1), frequency, found[-1].index)
    assert (found[-1].full_end, found[-1].is_cut) == (uncut.end, found[-1].end != uncut.end)


def test_iter_cycles_starts_at_first_index():
    assert [c.index for c in iter_cycles(j(1), M, d("2020-04-10"), first_index=2)] == [2, 3]


# --- cycle_at / cycle_containing ---------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: cycle_at(d("2020-01-31"), M, 1, d("2020-02-28")),  # would start Feb 29
        lambda: cycle_at(j(1), M, 3, d("2020-03-31")),  # would start Apr 1
        lambda: cycle_at(j(1), M, -1),
        lambda: cycle_at(j(2), M, 0, j(1)),  # ends before it starts
        lambda: cycle_containing(j(1), M, d("2019-12-31")),
        lambda: cycle_containing(j(1), M, d("2020-03-16"), d("2020-03-15")),
        lambda: cycle_at(j(1), "weekly", 0),
        lambda: cycle_at(j(1), "Monthly", 0),
        lambda: next_invoice_date(JAN, "whenever"),
        lambda: remaining_proration(JAN_CUT_15, j(16)),  # inside the full period, after the cut
        lambda: remaining_proration(JAN_CUT_15, d("2019-12-31")),
    ],
)
def test_cycle_outside_the_contract_or_unknown_terms_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize(
    "start, frequency, day, end_date, index",
    [
        ("2024-01-31", M, "2024-02-28", None, 0),
        ("2024-01-31", M, "2024-02-29", None, 1),
        ("2024-01-31", M, "2024-03-30", None, 1),
        ("2024-01-31", M, "2024-03-31", None, 2),
        ("2024-02-29", A, "2025-02-27", None, 0),
        ("2024-02-29", A, "2025-02-28", None, 1),
        ("2024-02-29", A, "2028-02-29", None, 4),
        ("2020-01-01", M, "2020-03-15", "2020-03-15", 2),
        ("2020-01-01", M, "2020-01-01", None, 0),
        ("2020-01-01", M, "2020-01-31", None, 0),
        ("2020-01-01", T, "2026-01-01", None, 2),
    ],
)
def test_cycle_containing_returns_the_cycle_with_day_inside(start, frequency, day, end_date, index):
    end = d(end_date) if end_date else None
    cycle = cycle_containing(d(start), frequency, d(day), end)
    assert d(day) in cycle
    assert cycle == cycle_at(d(start), frequency, index, end)


# --- Properties over random starts (month ends and Feb 29 included) ----------------------------


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


starts = st.one_of(
    st.dates(date(1990, 1, 1), date(2100, 12, 31)),
    st.builds(_month_end, st.integers(1990, 2100), st.integers(1, 12)),
    st.sampled_from([date(year, 2, 29) for year in range(1992, 2100, 4)]),
)
frequencies = st.sampled_from(Frequency)
timings = st.sampled_from(Timing)
day_counts = st.integers(0, 4000)


@settings(deadline=None)
@given(starts, frequencies, st.integers(1, 40))
def test_consecutive_cycles_tile_time_without_gap_or_overlap(start, frequency, count):
    found = list(islice(iter_cycles(start, frequency), count + 1))
    assert found[0].start == start and [c.index for c in found] == list(range(count + 1))
    for cycle, following in pairwise(found):
        assert cycle.start <= cycle.end == following.start - ONE_DAY


@given(starts, frequencies, day_counts, st.none() | day_counts)
def test_cycle_containing_contains_day_and_agrees_with_cycle_at(start, frequency, days, end_days):
    day = start + timedelta(days=days)
    end = None if end_days is None else day + timedelta(days=end_days)
    cycle = cycle_containing(start, frequency, day, end)
    assert day in cycle
    assert cycle == cycle_at(start, frequency, cycle.index, end)


@settings(deadline=None)
@given(starts, frequencies, day_counts)
def test_with_an_end_date_the_last_cycle_ends_on_it_and_none_starts_after(start, frequency, days):
    end = start + timedelta(days=days)
    found = list(iter_cycles(start, frequency, end))
    assert found[-1].end == end and all(c.start <= end for c in found)
    assert all(c.end == c.full_end for c in found[:-1])
    assert all(c.end + ONE_DAY == following.start for c, following in pairwise(found))
    with pytest.raises(ValueError):
        cycle_at(start, frequency, len(found), end)


@given(starts, frequencies, st.integers(0, 30), timings, st.integers(-365, 365))
def test_invoice_date_minus_next_invoice_date_is_the_offset(start, frequency, k, timing, offset):
    cycle = cycle_at(start, frequency, k)
    difference = invoice_date(cycle, timing, offset) - next_invoice_date(cycle, timing)
    assert difference == timedelta(days=offset)


@example(ADV, -366)
@example(ARR, 366)
@given(timings, st.integers(max_value=-366) | st.integers(min_value=366))
def test_any_offset_outside_the_range_raises(timing, offset):
    with pytest.raises(ValueError, match="offset"):
        invoice_date(JAN, timing, offset)


# --- Proration ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cycle, since, until, expected",
    [
        (JAN, j(31), None, Fraction(1, 31)),
        (JAN, None, j(1), Fraction(1, 31)),
        (cycle_at(j(1), M, 1), d("2020-02-15"), None, Fraction(15, 29)),  # leap February
        (cycle_at(d("2021-01-01"), M, 1), d("2021-02-15"), None, Fraction(14, 28)),
        (JAN_CUT_15, None, None, Fraction(15, 31)),  # a cut cycle prorates against the FULL period
        (JAN_CUT_15, j(10), d("2020-03-01"), Fraction(6, 31)),
        (cycle_at(j(1), Q, 0, d("2020-02-15")), None, None, Fraction(46, 91)),
        (JAN, None, None, Fraction(1)),
        (JAN, d("2019-12-01"), d("2020-02-29"), Fraction(1)),
        (JAN, j(10), None, Fraction(22, 31)),
        (JAN, None, j(10), Fraction(10, 31)),
        (JAN, j(10), j(20), Fraction(11, 31)),
        (JAN, d("2020-02-01"), None, Fraction(0)),
        (JAN, None, d("2019-12-31"), Fraction(0)),
        (JAN, j(20), j(10), Fraction(0)),
    ],
)
def test_proration_is_exact_active_days_over_full_cycle_days(cycle, since, until, expected):
    result = proration(cycle, since, until)
    assert type(result) is Fraction and result == expected


def test_remaining_proration_runs_from_effective_date_to_cycle_end_over_full_cycle_days():
    expected = {j(1): 1, j(16): Fraction(16, 31), j(31): Fraction(1, 31)}
    assert {day: remaining_proration(JAN, day) for day in expected} == expected
    expected_cut = {j(10): Fraction(6, 31), j(15): Fraction(1, 31)}
    assert {day: remaining_proration(JAN_CUT_15, day) for day in expected_cut} == expected_cut


# --- Quantity segments (changes are (effective_date, quantity_before); current quantity 10) ----

ALL = (None, None)  # no line start / end date


@pytest.mark.parametrize(
    "cycle, changes, window, expected",
    [
        (JAN, [(j(1), 4)], ALL, [(1, 31, 10)]),  # a change on the first day applies to all
        (JAN, [(j(31), 4)], ALL, [(1, 30, 4), (31, 31, 10)]),
        (JAN, [], ALL, [(1, 31, 10)]),
        (JAN, [(j(11), 4)], ALL, [(1, 10, 4), (11, 31, 10)]),
        (JAN, [(j(21), 6), (j(11), 4)], ALL, [(1, 10, 4), (11, 20, 6), (21, 31, 10)]),
        (JAN, [(d("2019-12-15"), 4)], ALL, [(1, 31, 10)]),
        (JAN, [(d("2020-02-10"), 4)], ALL, [(1, 31, 4)]),  # no split; 4 until Feb 10
        (JAN, [(d("2019-12-01"), 2), (j(11), 4)], ALL, [(1, 10, 4), (11, 31, 10)]),
        (JAN, [(j(11), 4), (j(11), 7)], ALL, [(1, 10, 4), (11, 31, 10)]),  # 4 -> 7 -> 10
        (JAN, [(j(11), 4)], (j(5), None), [(5, 10, 4), (11, 31, 10)]),
        (JAN, [(j(11), 4)], (j(11), j(20)), [(11, 20, 10)]),
        (JAN, [(j(11), 4)], (d("2020-02-01"), None), []),
        (JAN_CUT_15, [(j(11), 4)], ALL, [(1, 10, 4), (11, 15, 10)]),
    ],
)
def test_quantity_segments_split_at_change_effective_dates(cycle, changes, window, expected):
    segments = quantity_segments(cycle, 10, changes, *window)
    found = [(s.start, s.end, s.quantity, s.proration) for s in segments]
    assert found == [(j(a), j(b), q, Fraction(b - a + 1, 31)) for a, b, q in expected]
    assert sum(s.proration for s in segments) == proration(cycle, *window)


near = st.integers(-40, 1150)  # days from the cycle start: before, inside and after it
windows = st.tuples(st.none() | near, st.none() | near)
change_logs = st.lists(st.tuples(near, st.integers(0, 99)), max_size=6)


@given(
    starts, frequencies, st.integers(0, 30), st.none() | st.integers(0, 1100), windows, change_logs
)
def test_segments_tile_the_active_period_at_the_logged_quantities_and_sum_to_its_proration(
    start, frequency, k, cut_after, window_days, change_days
):
    first = cycle_at(start, frequency, k).start
    on = lambda days: None if days is None else first + timedelta(days=days)  # noqa: E731
    cycle, window = cycle_at(start, frequency, k, on(cut_after)), tuple(map(on, window_days))
    changes = [(on(days), before) for days, before in change_days]
    segments = quantity_segments(cycle, 100, changes, *window)
    assert sum(s.proration for s in segments) == proration(cycle, *window)
    period = cycles.active_period(cycle, *window)
    assert (segments[0].start, segments[-1].end) == period if segments else period is None
    assert all(s.end + ONE_DAY == following.start for s, following in pairwise(segments))
    ordered = sorted(changes, key=lambda change: change[0])
    for segment in segments:  # each day against the change log, one by one
        for n in range((segment.end - segment.start).days + 1):
            day = segment.start + timedelta(days=n)
            assert segment.quantity == next((q for when, q in ordered if when > day), 100), day


# --- Purity ------------------------------------------------------------------------------------


def test_cycles_module_imports_nothing_from_django_or_the_project():
    tree = ast.parse(Path(cycles.__file__).read_text())
    roots = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    roots |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    roots = {name.split(".")[0] for name in roots}
    assert "django" not in roots and roots <= set(sys.stdlib_module_names) | {"dateutil"}
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('cycles_alone', {cycles.__file__!r})\n"
        "sys.modules['cycles_alone'] = module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django loaded'\n"
    )
    subprocess.run([sys.executable, "-I", "-c", script], check=True, capture_output=True)


@pytest.mark.parametrize(
    ("anchor", "offset", "invoice_day", "crosses"),
    [
        (date(2026, 3, 1), 3, date(2026, 3, 4), False),
        (date(2026, 3, 1), -3, date(2026, 2, 26), True),
        (date(2024, 3, 1), -1, date(2024, 2, 29), True),
        (date(2026, 1, 31), 1, date(2026, 2, 1), True),
        (date(2026, 12, 31), 1, date(2027, 1, 1), True),
        (date(2026, 12, 31), 0, date(2026, 12, 31), False),
    ],
)
def test_an_offset_moves_the_invoice_date_and_may_cross_the_month(
    anchor, offset, invoice_day, crosses
):
    assert cycles.offset_invoice_date(anchor, offset) == invoice_day
    assert cycles.crosses_month(anchor, invoice_day) is crosses
