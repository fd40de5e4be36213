"""Whose locale an amount is written in: the reader's on pages, the customer's on documents."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from invoicing.money_format import locale_code


def active_locale() -> str:
    """The locale of whoever reads the page: the active language ("en-gb" gives en_GB)."""
    return locale_code(translation.get_language() or settings.LANGUAGE_CODE)


def site_locale() -> str:
    """The locale of what workers and commands write for staff (task messages, reports)."""
    return locale_code(settings.LANGUAGE_CODE)


def document_locale(language: str) -> str:
    """The locale of a customer's PDF and email: the customer's language when set, else the
    site's; in the site's own region when the languages agree (en with en-gb gives en_GB)."""
    site = site_locale()
    if not language:
        return site
    chosen = locale_code(language)
    return site if site.split("_")[0] == chosen else chosen


def site_language(language: str) -> str:
    """A Django language code, in the site's own region when the languages agree ("en" with
    LANGUAGE_CODE en-gb gives en-gb: British dates and words rather than US ones)."""
    site = settings.LANGUAGE_CODE
    if not language or language.split("-")[0] == site.split("-")[0]:
        return site
    return language


def document_language(language: str) -> translation.override:
    """Render a customer's document or email in the customer's language (`with` it)."""
    return translation.override(site_language(language))
