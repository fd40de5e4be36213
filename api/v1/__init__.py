"""Version 1 of the API: one module per resource, each a serializer and a viewset."""
