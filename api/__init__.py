"""The REST API (/api/v1/): a door like the pages, calling the same services and selectors.

Everything here is a door: it parses, checks permission, calls one service or selector and
answers. Errors are RFC 9457 problem documents (api.problems); lists are cursor-paginated.
"""
