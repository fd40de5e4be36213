from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

UNKNOWN_LANGUAGE = _("Choose one of the languages offered: the language was not changed.")


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        choices=settings.LANGUAGES, error_messages={"invalid_choice": UNKNOWN_LANGUAGE}
    )
    next = forms.CharField(required=False)
