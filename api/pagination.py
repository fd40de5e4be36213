"""Cursor pagination: stable pages under inserts, and no COUNT(*) over a million rows."""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

MAX_PAGE_SIZE = 200
PAGE_SIZE_INVALID = f"A whole number from 1 to {MAX_PAGE_SIZE}."
CURSOR_INVALID = "This cursor is not one the API gave: start again from the first page."


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    # A view's OrderingFilter (whitelisted fields) overrides this; "-id" breaks ties.
    ordering = "-id"

    def get_page_size(self, request) -> int:
        """The asked size, refused (not silently replaced) when it is not one we serve."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise ValidationError({self.page_size_query_param: [PAGE_SIZE_INVALID]})
        return int(raw)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as error:  # DRF's answer to a tampered cursor; it is bad input
            raise ValidationError({self.cursor_query_param: [CURSOR_INVALID]}) from error
