from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

UNKNOWN_LANGUAGE = _("Choose one of the languages offered: the language was not changed.")


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        choices=settings.LANGUAGES, error_messages={"invalid_choice": UNKNOWN_LANGUAGE}
    )
    next = forms.CharField(required=False)


API_KEY_NAME_MISSING = _("Name the key after what will use it: no key was made.")


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use the key, e.g. the CRM."),
        error_messages={"required": API_KEY_NAME_MISSING},
    )
