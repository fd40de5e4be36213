"""Money rules: ISO 4217 minor units and the single half-up rounding of a line.

Pure: no Django import. Warning: changing an exponent or the rounding mode
changes what every later generation or replacement of past cycles would bill.
"""

import math
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


def minor_unit(currency: str) -> int:
    """Number of decimals of the currency's minor unit (EUR 2, JPY 0, KWD 3)."""
    if currency not in CURRENCY_CODES:
        raise ValueError(f"{currency!r} is not an ISO 4217 currency code.")
    return _EXPONENTS.get(currency, 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def round_money(amount: Decimal | Fraction, currency: str) -> Decimal:
    """Round once, half-up (away from zero), to the currency's minor unit.

    Works on the exact value: a prorated amount like 10 × 7/31 is rounded from
    its true value, never from an intermediate rounded one.
    """
    exponent = minor_unit(currency)
    scaled = Fraction(amount) * 10**exponent
    units = math.floor(abs(scaled) + Fraction(1, 2))
    return Decimal(units if scaled >= 0 else -units).scaleb(-exponent).quantize(quantum(currency))
