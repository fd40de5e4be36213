"""`ordering` read strictly: a field the list does not order by is a 400, not ignored."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

ORDERING_INVALID = "Order by one of: {fields} (each may start with -)."


class StrictOrdering(OrderingFilter):
    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw is None:
            return self.get_default_ordering(view)
        asked = [name.strip() for name in raw.split(",")]
        allowed = set(view.ordering_fields)
        if not asked or any(name.removeprefix("-") not in allowed for name in asked):
            fields = ", ".join(view.ordering_fields)
            raise ValidationError({self.ordering_param: [ORDERING_INVALID.format(fields=fields)]})
        # The unique id last: equal values still page in one order.
        return [*asked, "id"] if not {"id", "-id"} & set(asked) else asked
