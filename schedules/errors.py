"""What the posting-period rules refuse, as messages the doors show."""

PERIOD_ALREADY_CLOSED = "{month} is already closed (by {who} at {when})."
PERIOD_NOT_CLOSED = "{month} is open: there is nothing to reopen."
CLOSE_NOT_ALLOWED = "You may not close posting periods."
REOPEN_NOT_ALLOWED = "Reopening a posting period needs its own permission, which you do not have."
PERIOD_NOT_STARTED = "{month} has not started yet: only a started month can be closed."
