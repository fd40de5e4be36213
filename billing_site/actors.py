"""Who asks a service for a write, as the services type their `user` argument."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # the models load with the apps; this module is imported before them
    from django.contrib.auth.models import AnonymousUser, User

# A signed-in user (the project keeps Django's default User model), the anonymous user of a
# request, or None for the nightly run, a command or a worker. Services check a permission
# only when someone asked, and record an actor only when it has a primary key.
Actor: TypeAlias = "User | AnonymousUser | None"


def recorded_actor(user: Actor) -> User | None:
    """The user a row records as who did it: None for no one and for the anonymous user."""
    if user is None or user.is_anonymous or not user.pk:
        return None
    return user
