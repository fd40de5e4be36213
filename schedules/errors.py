"""What the posting-period rules refuse, as messages the doors show."""

from billing_site.errors import _

PERIOD_ALREADY_CLOSED = _("{month} is already closed (by {who} at {when}).")
PERIOD_NOT_CLOSED = _("{month} is open: there is nothing to reopen.")
CLOSE_NOT_ALLOWED = _("You may not close posting periods.")
REOPEN_NOT_ALLOWED = _(
    "Reopening a posting period needs its own permission, which you do not have."
)
PERIOD_NOT_STARTED = _("{month} has not started yet: only a started month can be closed.")
