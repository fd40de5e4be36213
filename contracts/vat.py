"""VAT IDs as finance files them: compacted, and for the EU checked by format and check
digits (python-stdnum), with the prefix matching the customer's country. Pure: no Django."""

from __future__ import annotations

from stdnum.eu import vat

from contracts import errors

# VAT prefixes that are not the ISO country code: Greece files as EL, Northern Ireland as XI.
PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}
EU_COUNTRIES = {code.upper() for code in vat.MEMBER_STATES if code != "xi"} | {"GR"}


def vat_id_compacted(vat_id: str) -> str:
    """Upper case, without the spaces, dots and dashes people type."""
    return "".join(ch for ch in vat_id.upper() if ch.isalnum())


def vat_id_problem(vat_id: str, country: str) -> str:
    """Why the VAT ID cannot be filed for a customer in `country`, or "" when it can."""
    if not vat_id:
        return ""
    prefix = vat_id[:2]
    prefix_country = PREFIX_COUNTRY.get(prefix, prefix)
    if country in EU_COUNTRIES or prefix_country in EU_COUNTRIES:
        if not vat.is_valid(vat_id):
            return errors.VAT_ID_INVALID.format(vat_id=vat_id)
        if country and prefix_country != country and not (prefix == "XI" and country == "GB"):
            return errors.VAT_ID_OTHER_COUNTRY.format(vat_id=vat_id, country=country)
        return ""
    if not (4 <= len(vat_id) <= 20 and prefix.isalpha()):
        return errors.VAT_ID_UNREADABLE.format(vat_id=vat_id)
    return ""
