"""Money rules: ISO 4217 minor units and the single half-up rounding of a line.

Pure: no Django import. Warning: changing an exponent or the rounding mode
changes what every later generation or replacement of past cycles would bill.
"""

from decimal import Decimal
from fractions import Fraction

# Active ISO 4217 codes whose minor unit is not 2 decimals.
_EXPONENTS = {
    **dict.fromkeys(
        "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0
    ),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    **dict.fromkeys("CLF UYW".split(), 4),
}

# Active ISO 4217 currency codes (funds and precious metals excluded).
CURRENCY_CODES = tuple(
    sorted(
        """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
        BWP BYN BZD CAD CDF CHF CLF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
        FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
        JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT
        MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG
        QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS
        TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG
        XOF XPF YER ZAR ZMW ZWG
        """.split()
    )
)


# Looked up for every line a run drafts: a set, not the tuple's linear scan.
_KNOWN_CODES = frozenset(CURRENCY_CODES)


def minor_unit(currency: str) -> int:
    """Number of decimals of the currency's minor unit (EUR 2, JPY 0, KWD 3)."""
    if currency not in _KNOWN_CODES:
        raise ValueError(f"{currency!r} is not an ISO 4217 currency code.")
    return _EXPONENTS.get(currency, 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def round_ratio(numerator: int, denominator: int, currency: str) -> Decimal:
    """numerator / denominator, rounded once, half-up (away from zero), to the minor unit.

    Integer arithmetic on the exact ratio: no intermediate rounding ever happens.
    """
    exponent = minor_unit(currency)
    numerator *= 10**exponent
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    units, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        units += 1
    # Built from a string, which is exact: scaleb would round to the thread's decimal
    # context precision (silently wrong beyond 28 digits, or with a lowered precision).
    return Decimal(f"{-units if numerator < 0 else units}E-{exponent}")


def round_money(amount: Decimal | Fraction | int, currency: str) -> Decimal:
    """Round an exact amount once, half-up (away from zero), to the currency's minor unit."""
    if isinstance(amount, float):
        raise TypeError("Money is never a float: pass a Decimal, a Fraction or an int.")
    return round_ratio(*amount.as_integer_ratio(), currency)
