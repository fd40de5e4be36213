"""Reads of the invoicing app, one module per page or subject; none imports a service."""
