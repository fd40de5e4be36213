"""The signed-in person's API keys: list them, make one (shown once), revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import ApiKeyForm
from accounts.models import ApiKey
from accounts.selectors import api_keys_of
from accounts.services import api_key_create, api_key_revoke

# The new key waits in the session for the page that shows it, once, after the redirect:
# reloading that page (or the POST) never shows it, nor makes another.
NEW_KEY_SESSION = "api_keys.new_key"


@require_http_methods(["GET", "HEAD"])
@login_required
def api_key_list(request):
    new_key = request.session.pop(NEW_KEY_SESSION, None)
    return _page(request, ApiKeyForm(), new_key=new_key)


@require_POST
@login_required
def api_key_create_view(request):
    """Anyone signed in may make keys for themselves: a key has exactly their permissions."""
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    api_key, key = api_key_create(user=request.user, name=form.cleaned_data["name"])
    request.session[NEW_KEY_SESSION] = {"key": key, "name": api_key.name}
    return redirect("api_keys")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def api_key_revoke_view(request, pk: int):
    """GET asks to confirm; POST revokes. Another person's key is not found."""
    api_key = get_object_or_404(ApiKey, pk=pk, user=request.user)
    if request.method != "POST":
        return render(request, "accounts/api_key_revoke.html", {"api_key": api_key})
    if not api_key.is_revoked:
        api_key_revoke(api_key=api_key, revoked_by=request.user)
        messages.success(
            request,
            _("Key %(prefix)s… is revoked: it no longer opens the API.")
            % {"prefix": api_key.prefix},
        )
    return redirect("api_keys")


def _page(request, form: ApiKeyForm, *, new_key: dict | None = None, status: int = 200):
    context = {"form": form, "api_keys": api_keys_of(user=request.user), "new_key": new_key}
    return render(request, "accounts/api_keys.html", context, status=status)
