"""Users in admin, with the language each one sees the web UI in."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import UserPreference


class PreferenceInline(admin.StackedInline):
    model = UserPreference
    can_delete = False
    verbose_name_plural = _("preferences")


class UserWithPreferenceAdmin(UserAdmin):
    inlines = [PreferenceInline]


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserWithPreferenceAdmin)
