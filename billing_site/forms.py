"""Form helpers every app's forms share: a date picker, and the bounds of dates and ids."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from schedules.cycles import FIRST_SUPPORTED_DAY, LAST_SUPPORTED_DAY

# PostgreSQL's bigint, the type of every primary key: a larger id can name no row.
MAX_ID = 2**63 - 1
DATE_NOT_SUPPORTED = _("Give a date from {first} to {last}.")


def iso_date_input() -> forms.DateInput:
    """A browser date picker: it only reads ISO dates, whatever the locale."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_not_supported() -> str:
    return DATE_NOT_SUPPORTED.format(
        first=date_format(FIRST_SUPPORTED_DAY), last=date_format(LAST_SUPPORTED_DAY)
    )


class BillingDateField(forms.DateField):
    """A date inside the days the product bills (schedules.cycles): one outside them is
    refused with a message, before any cycle arithmetic could overflow on it."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # Lazy: the field is made once, at import; the message is read in each request's
        # language, its dates in that language's format.
        message = lazy(_date_not_supported, str)()
        self.validators += [
            MinValueValidator(FIRST_SUPPORTED_DAY, message=message),
            MaxValueValidator(LAST_SUPPORTED_DAY, message=message),
        ]

    def widget_attrs(self, widget: forms.Widget) -> dict[str, str]:
        # The browser's picker offers only the supported days.
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.DateInput):
            attrs |= {"min": FIRST_SUPPORTED_DAY.isoformat(), "max": LAST_SUPPORTED_DAY.isoformat()}
        return attrs


YES_NO_INVALID = "Give true or false."


YES = frozenset({"true", "1", "on"})


class StrictCheckboxInput(forms.CheckboxInput):
    """A checkbox whose value reaches the field as sent, so the field may refuse it."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: value is True or str(value).lower() in YES)

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class YesNoField(forms.BooleanField):
    """A yes/no filter of a query string: "true", "1", "on" or "false", "0", "off", "";
    anything else is refused, not read as yes (Django's BooleanField takes "perhaps")."""

    widget = StrictCheckboxInput
    TRUE = YES
    FALSE = frozenset({"false", "0", "off", ""})

    def to_python(self, value):
        if isinstance(value, str):
            if value.lower() not in self.TRUE | self.FALSE:
                raise forms.ValidationError(YES_NO_INVALID, code="invalid")
            value = value.lower() in self.TRUE
        return super().to_python(value)
