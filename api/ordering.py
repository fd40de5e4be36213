"""Ordering by whitelisted fields only: an unknown field is a 400, not a silently other order.

Cursor pages take their position from the first ordering field, so each list offers
unique fields only (id, number): on a shared value (thousands of invoices of one day) DRF's
cursor would fall back to offsets and, past its cutoff, skip rows.
"""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

ORDERING_UNKNOWN = "Order by one of: {choices}."


class StrictOrderingFilter(OrderingFilter):
    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw is None:
            return self.get_default_ordering(view)
        allowed = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
        terms = [term.strip() for term in raw.split(",")]
        if len(terms) != 1 or terms[0].lstrip("-") not in allowed:
            choices = ", ".join(f"{name}, -{name}" for name in sorted(allowed))
            raise ValidationError({self.ordering_param: [ORDERING_UNKNOWN.format(choices=choices)]})
        return terms

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "ordering_fields", [])
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "The order of the list: a field, descending with a minus sign.",
                "schema": {
                    "type": "string",
                    "enum": [f"{sign}{name}" for name in fields for sign in ("", "-")],
                },
            }
        ]
