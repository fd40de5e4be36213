"""Users in admin, with the language each one sees the web UI in; API keys."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiKey, UserPreference
from accounts.services import api_key_create, api_keys_revoke


class PreferenceInline(admin.StackedInline):
    model = UserPreference
    can_delete = False
    verbose_name_plural = _("preferences")


class UserWithPreferenceAdmin(UserAdmin):
    inlines = [PreferenceInline]


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserWithPreferenceAdmin)


class RevokedFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("no", "In use"), ("yes", "Revoked")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(revoked_at__isnull=self.value() == "no")
        return queryset


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys of every person: made for someone (shown once), revoked; never the hash."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    list_filter = (RevokedFilter, "created_at")
    search_fields = ("prefix", "name", "user__username", "user__email")
    actions = ["revoke_selected"]
    # The hash is never shown nor editable: it is not among these fields.
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    raw_id_fields = ("user",)

    def get_fields(self, request, obj=None):
        return ("user", "name") if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        # A key is made and revoked, never edited: its owner and name stay what they were.
        return () if obj is None else self.fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked keys stay, with when: the audit trail names them

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return
        api_key, key = api_key_create(user=obj.user, name=obj.name, created_by=request.user)
        obj.pk, obj.prefix, obj.created_at = api_key.pk, api_key.prefix, api_key.created_at
        self.message_user(
            request,
            f"API key for {obj.user}: {key} — copy it now, it is shown only this once.",
            messages.WARNING,
        )

    def log_addition(self, request, obj, message):
        return None  # api_key_create wrote the audit entry

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke_selected(self, request, queryset) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        revoked = api_keys_revoke(api_key_ids=ids, revoked_by=request.user)
        self.message_user(request, f"{revoked} key(s) revoked.", messages.SUCCESS)
