"""Query strings read as the pages read them, but strictly: a parameter the API does not
know, or a value a filter refuses, is a 400, never a wider list than was asked for."""

from __future__ import annotations

from django import forms
from rest_framework.exceptions import ValidationError

from api import errors

# Parameters every list takes besides its filters.
LIST_PARAMETERS = frozenset({"cursor", "page_size", "ordering", "format"})


def query_form(request, form_class: type[forms.Form], *, also: frozenset[str] = frozenset()):
    """The page's filter form bound to the query string, valid, or a 400 naming the faults."""
    params = request.query_params
    unknown = sorted(set(params) - set(form_class.base_fields) - LIST_PARAMETERS - also)
    if unknown:
        message = errors.UNKNOWN_PARAMETERS.format(
            s="s" if len(unknown) > 1 else "", names=", ".join(unknown)
        )
        raise ValidationError({name: [message] for name in unknown})
    repeated = sorted(name for name in params if len(params.getlist(name)) > 1)
    if repeated:
        raise ValidationError({name: ["Give this parameter once."] for name in repeated})
    form = form_class(params)
    if not form.is_valid():
        raise ValidationError(
            {
                field: [error["message"] for error in field_errors]
                for field, field_errors in form.errors.get_json_data().items()
            }
        )
    return form
