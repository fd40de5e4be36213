"""The pure money module: ISO 4217 minor units and the single half-up rounding of a line.

No database needed.
"""

import ast
import math
import subprocess
import sys
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from invoicing import money
from invoicing.money import CURRENCY_CODES, minor_unit, quantum, round_money, round_ratio

# --- Minor units -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "currency, decimals",
    [
        ("JPY", 0),
        ("KRW", 0),
        ("ISK", 0),
        ("CLP", 0),
        ("KWD", 3),
        ("BHD", 3),
        ("TND", 3),
        ("CLF", 4),
        ("UYW", 4),
        ("EUR", 2),
        ("USD", 2),
        ("GBP", 2),
        ("CHF", 2),
    ],
)
def test_minor_unit_is_the_iso_4217_exponent(currency, decimals):
    assert minor_unit(currency) == decimals
    assert quantum(currency) == Decimal(1).scaleb(-decimals)
    assert quantum(currency).as_tuple().exponent == -decimals


@pytest.mark.parametrize("currency", ["", "XXX", "ZZZ", "EURO", "eur", "Eur", " EUR", None])
def test_unknown_currency_code_raises_value_error(currency):
    with pytest.raises(ValueError, match="ISO 4217"):
        minor_unit(currency)
    with pytest.raises(ValueError, match="ISO 4217"):
        round_money(Decimal("1"), currency)


def test_currency_codes_are_sorted_unique_three_uppercase_letters_with_a_known_exponent():
    assert list(CURRENCY_CODES) == sorted(set(CURRENCY_CODES))
    assert all(len(code) == 3 and code.isalpha() and code.isupper() for code in CURRENCY_CODES)
    assert {minor_unit(code) for code in CURRENCY_CODES} == {0, 2, 3, 4}
    assert set(money._EXPONENTS) <= set(CURRENCY_CODES)


# --- Rounding: half-up, away from zero, once, from the exact value -----------------------------


@pytest.mark.parametrize(
    "amount, currency, expected",
    [
        (Decimal("0.5"), "JPY", "1"),
        (Decimal("-0.5"), "JPY", "-1"),
        (Decimal("0.49999"), "JPY", "0"),
        (Decimal("1.5"), "JPY", "2"),
        (Decimal("2.5"), "JPY", "3"),  # half-up, not banker's rounding
        (Decimal("2.345"), "EUR", "2.35"),
        (Decimal("-2.345"), "EUR", "-2.35"),
        (Decimal("2.3449"), "EUR", "2.34"),  # never rounded twice (2.3449 -> 2.345 -> 2.35)
        (Decimal("0.005"), "EUR", "0.01"),
        (Decimal("-0.005"), "EUR", "-0.01"),
        (Decimal("-0.004"), "EUR", "0.00"),  # no negative zero
        (Decimal("0.0005"), "KWD", "0.001"),
        (Decimal("1.0004999"), "KWD", "1.000"),
        (Decimal("1.00005"), "CLF", "1.0001"),
        (Fraction(1000, 3), "JPY", "333"),
        (Fraction(2000, 3), "JPY", "667"),
        (Fraction(-1000, 3), "JPY", "-333"),
        (Fraction(1, 200), "EUR", "0.01"),  # exactly half a cent
        (Fraction(-1, 200), "EUR", "-0.01"),
        (Fraction(10 * 7, 31), "EUR", "2.26"),  # 10.00 x 7/31 = 2.2580...
        (Fraction(1999, 1) * Fraction(15, 31), "USD", "967.26"),  # 967.2580...
        (Fraction(1, 3), "KWD", "0.333"),
        (Decimal("100"), "EUR", "100.00"),
        (Decimal("12.3"), "KWD", "12.300"),
        (Decimal("1E+3"), "JPY", "1000"),
        (Decimal("0"), "CLF", "0.0000"),
        (Decimal("-0"), "EUR", "0.00"),
        (7, "EUR", "7.00"),
    ],
)
def test_round_money_rounds_half_up_away_from_zero_to_the_minor_unit(amount, currency, expected):
    result = round_money(amount, currency)
    assert type(result) is Decimal
    assert str(result) == expected
    assert result.as_tuple().exponent == -minor_unit(currency)


@pytest.mark.parametrize(
    "numerator, denominator, currency, expected",
    [
        (1, 200, "EUR", "0.01"),
        (-1, 200, "EUR", "-0.01"),
        (1, -200, "EUR", "-0.01"),
        (-1, -200, "EUR", "0.01"),
        (1000, 3, "JPY", "333"),
        (1000, -3, "JPY", "-333"),
        (1999 * 15, 31, "USD", "967.26"),
        (0, 7, "KWD", "0.000"),
    ],
)
def test_round_ratio_rounds_the_exact_quotient_half_up_away_from_zero(
    numerator, denominator, currency, expected
):
    assert str(round_ratio(numerator, denominator, currency)) == expected


def test_round_money_ignores_the_ambient_decimal_context():
    with localcontext() as context:
        context.prec = 4
        assert str(round_money(Decimal("12345.678"), "EUR")) == "12345.68"
        assert str(round_money(Fraction(10**30 + 1, 2), "JPY")) == str(10**30 // 2 + 1)
    assert str(round_money(Decimal("1E+30"), "EUR")) == "1" + "0" * 30 + ".00"


# --- Properties --------------------------------------------------------------------------------

currencies = st.sampled_from(["EUR", "USD", "JPY", "KWD", "CLF", "ISK", "BHD"])
amounts = st.one_of(
    st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, places=6),
    st.fractions(min_value=-(10**12), max_value=10**12, max_denominator=10**6),
    # Exact ties for every minor unit: x.5, x.x5, x.xx5, x.xxx5, x.xxxx5.
    st.builds(
        lambda n, e: Decimal(2 * n + 1).scaleb(-e), st.integers(-(10**9), 10**9), st.integers(1, 5)
    ),
)


@example(Decimal("2.345"), "EUR")
@example(Fraction(1, 2), "JPY")
@given(amounts, currencies)
def test_round_money_is_within_half_a_minor_unit_and_ties_go_away_from_zero(amount, currency):
    result = round_money(amount, currency)
    half_unit = Fraction(1, 2 * 10 ** minor_unit(currency))
    error = Fraction(result) - Fraction(amount)
    assert abs(error) <= half_unit
    if abs(error) == half_unit:
        assert abs(Fraction(result)) > abs(Fraction(amount))
    assert result.as_tuple().exponent == -minor_unit(currency)


@given(amounts, currencies)
def test_round_money_is_symmetric_and_idempotent(amount, currency):
    result = round_money(amount, currency)
    assert round_money(-amount, currency) == -result
    assert round_money(result, currency) == result
    assert str(round_money(result, currency)) == str(result)


def half_up(exact: Fraction, currency: str) -> Fraction:
    """Independent oracle: |x| scaled to minor units, + 1/2, floored; the sign put back."""
    scale = 10 ** minor_unit(currency)
    units = math.floor(abs(exact) * scale + Fraction(1, 2))
    return Fraction(units if exact >= 0 else -units, scale)


@given(st.integers(-(10**15), 10**15), st.integers(1, 10**6), st.booleans(), currencies)
def test_round_ratio_and_round_money_match_the_half_up_oracle(
    numerator, denominator, flip, currency
):
    denominator = -denominator if flip else denominator
    expected = half_up(Fraction(numerator, denominator), currency)
    assert Fraction(round_ratio(numerator, denominator, currency)) == expected
    assert Fraction(round_money(Fraction(numerator, denominator), currency)) == expected


@given(amounts, amounts, currencies)
def test_round_money_is_monotonic(first, second, currency):
    low, high = sorted([first, second], key=Fraction)
    assert round_money(low, currency) <= round_money(high, currency)


# --- Purity ------------------------------------------------------------------------------------


def test_money_module_imports_nothing_from_django_or_the_project():
    tree = ast.parse(Path(money.__file__).read_text())
    roots = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    roots |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    roots = {name.split(".")[0] for name in roots}
    assert "django" not in roots and roots <= set(sys.stdlib_module_names)
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('money_alone', {money.__file__!r})\n"
        "sys.modules['money_alone'] = module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django loaded'\n"
    )
    subprocess.run([sys.executable, "-I", "-c", script], check=True, capture_output=True)
