"""The root of every refusal the billing rules make; doors turn it into a message."""


class BillingError(Exception):
    """A request the billing rules refuse. The message is meant for the person who asked."""
