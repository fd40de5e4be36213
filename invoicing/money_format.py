"""Money as text: for people, in their locale (Babel, CLDR), and for spreadsheets (CSV).

Pure: no Django import. Every page, admin list, PDF, email, message and export that shows
an amount goes through this module, so an amount reads the same wherever it is shown.

- Decimals are the currency's ISO 4217 minor unit (`invoicing.money`), the one invoices are
  rounded to, never CLDR's currency digits (CLDR shows HUF, IDR, COP 0 decimals and IQD 0
  where ISO has 2 and 3: a billed 0.50 would read 0 or 1); rounding is `round_money`'s half-up.
- The currency is its ISO code in the locale's CLDR currency pattern (¤¤), never a symbol:
  one book holds several currencies and "$" is USD, CAD, AUD...
- The minus sign is the locale's CLDR minus sign (hyphen-minus in en, fr and de), everywhere.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    NumberPattern,
    get_minus_sign_symbol,
    get_plus_sign_symbol,
    parse_pattern,
)

from invoicing.money import minor_unit, round_money

# Readers whose locale Babel does not know still get a readable amount.
FALLBACK_LOCALE = "en"
NBSP = "\u00a0"

Amount = Decimal | Fraction | int


def format_money(amount: Amount, currency: str, locale: str) -> str:
    """The amount at the currency's minor unit, half-up: "EUR 1,008.00" in en-GB."""
    return _render(_rounded(amount, currency), currency, locale, minor_unit(currency))


def format_money_change(amount: Amount, currency: str, locale: str) -> str:
    """A difference of money, its sign always shown: "+EUR 12.00", "-EUR 3.50"; zero unsigned."""
    value = _rounded(amount, currency)
    signed = value > 0
    return _render(value, currency, locale, minor_unit(currency), explicit_plus=signed)


def format_price(amount: Decimal | int, currency: str, locale: str) -> str:
    """A unit price: the minor unit at least, more decimals when the price has them
    (0.0425 per API request must not read as 0.04). Never rounded."""
    value = Decimal(amount)
    places = max(minor_unit(currency), _decimals(value))
    return _render(value if value else abs(value), currency, locale, places)


def format_quantity(value: Decimal | int, locale: str) -> str:
    """A quantity or a rate beside the amounts of a document, in the same locale: grouped,
    without trailing zeros ("40,000", "2.5"; "2,5" in fr)."""
    number = Decimal(value)
    babel_locale = _locale(locale)
    pattern = _pattern(babel_locale, _decimals(number), explicit_plus=False, currency=False)
    return pattern.apply(number if number else abs(number), babel_locale)


def money_figure(amount: Amount, currency: str) -> str:
    """The amount as a spreadsheet reads it: "1008.00", "-548.80" (ASCII minus, ".", no
    grouping, the currency's minor unit); the currency goes in a column of its own."""
    return f"{_rounded(amount, currency):f}"


def minus_sign(locale: str) -> str:
    """The locale's minus sign, for the other signed figures of a page (quantities, days)."""
    return get_minus_sign_symbol(_locale(locale))


def locale_code(language: str) -> str:
    """A Babel locale from a language code in Django's ("en-gb") or POSIX ("en_GB") form."""
    try:
        return str(_locale(language))
    except ValueError:
        return FALLBACK_LOCALE


def _rounded(amount: Amount, currency: str) -> Decimal:
    value = round_money(amount, currency)
    # -0.004 rounds to zero, which has no sign to show.
    return value if value else abs(value)


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _render(
    value: Decimal, currency: str, locale: str, places: int, explicit_plus: bool = False
) -> str:
    babel_locale = _locale(locale)
    pattern = _pattern(babel_locale, places, explicit_plus)
    text = pattern.apply(value, babel_locale, currency=currency, currency_digits=False)
    return _space_code(text, currency)


@lru_cache(maxsize=64)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK_LOCALE)


@lru_cache(maxsize=256)
def _pattern(
    locale: Locale, places: int, explicit_plus: bool, currency: bool = True
) -> NumberPattern:
    """The locale's standard currency pattern with the ISO code (or its decimal pattern),
    `places` decimals and the locale's own minus (and plus) sign."""
    if currency:
        standard = locale.currency_formats["standard"].pattern
        pattern = parse_pattern(standard.replace("¤¤", "¤").replace("¤", "¤¤"))
    else:
        pattern = parse_pattern(locale.decimal_formats[None].pattern)
    pattern.frac_prec = (places, places)
    # Babel copies the pattern's "-" as it is; CLDR means the locale's minus sign by it.
    minus, plus = get_minus_sign_symbol(locale), get_plus_sign_symbol(locale)
    negative = tuple(part.replace("-", minus) for part in (pattern.prefix[1], pattern.suffix[1]))
    positive = (pattern.prefix[0], pattern.suffix[0])
    if explicit_plus:
        # CLDR: a shown plus sign takes the negative pattern's place of the minus sign.
        positive = (pattern.prefix[1].replace("-", plus), pattern.suffix[1].replace("-", plus))
    pattern.prefix = (positive[0], negative[0])
    pattern.suffix = (positive[1], negative[1])
    return pattern


def _space_code(text: str, currency: str) -> str:
    """CLDR's currency spacing, which Babel does not apply: a code touching a digit is set
    apart by a no-break space ("EUR 1,008.00", never "EUR1,008.00")."""
    code = re.escape(currency)
    text = re.sub(rf"{code}(?=\d)", f"{currency}{NBSP}", text)
    return re.sub(rf"(?<=\d){code}", f"{NBSP}{currency}", text)
