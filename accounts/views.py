from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.forms import UNKNOWN_LANGUAGE, LanguageForm
from accounts.services import user_language_set


@require_POST
@login_required
def language_set(request):
    """The header's language picker: keep the choice, back to the page it was made on."""
    form = LanguageForm(request.POST)
    if form.is_valid():
        user_language_set(user=request.user, language=form.cleaned_data["language"])
    else:
        messages.error(request, UNKNOWN_LANGUAGE)
    return redirect(_back_to(request, form.data.get("next", "")))


def _back_to(request, url: str) -> str:
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else "invoicing:dashboard"
