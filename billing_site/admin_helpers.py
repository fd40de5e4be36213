"""Admin building blocks every app's admin shares.

Rows only the services write are shown, never added, edited or deleted in admin: editing
them would break the audit trail (who generated what, numbers never reused).
"""

from operator import attrgetter

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from billing_site.locales import active_locale
from invoicing.money_format import format_money, format_price


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BoundedInlineMixin:
    """An editable inline whose formset builds at most `max_num` forms from a POST, and
    refuses more with Django's "Please submit at most N forms". Django's own cap
    (max_num + 1,000) let a tampered POST claiming a million rows build 2,000 forms and
    answer with megabytes; read-only inlines add no rows and keep that cap."""

    max_num: int

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.max_num)
        kwargs.setdefault("validate_max", True)
        return super().get_formset(request, obj, **kwargs)  # type: ignore[misc]


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = True
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


def admin_link(obj, text=None) -> str:
    """A link to `obj`'s admin change page, or a dash when there is none."""
    if obj is None:
        return "—"
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj if text is None else text)


def changelist_link(model, text: str, **filters) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, urlencode(filters), text)


def money_display(field: str, *, currency: str = "currency", price: bool = False):
    """An admin column or read-only field showing a row's amount as every page does
    ("EUR 1,008.00", not the stored "1008.0000"); `currency` may be a dotted path."""
    amount_of, currency_of = attrgetter(field), attrgetter(currency)
    formatter = format_price if price else format_money

    # The model field's own verbose name (gettext_lazy there puts it in the catalogs).
    @admin.display(description=_(field.replace("_", " ")), ordering=field)
    def shown(model_admin, row) -> str:
        amount = amount_of(row)
        return "—" if amount is None else formatter(amount, currency_of(row), active_locale())

    return shown
