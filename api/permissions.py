"""The pages' permissions, asked of API callers too: a viewer's key reads, never writes."""

from __future__ import annotations

from rest_framework.permissions import DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """Reads need the model's view permission, writes its add/change/delete permission.

    A view's own actions (generate, void, end...) name theirs in `action_permissions`:
    {"void": ("invoicing.void_invoice",)}; an action not named there needs the method's.
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        named = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if named is not None:
            return request.user.has_perms(named)
        return super().has_permission(request, view)
