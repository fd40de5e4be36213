"""Django's model backend, loading the user's preference in the user's own query."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PreferenceBackend(ModelBackend):
    """Every page reads the user's language: a join on the query that loads the user
    anyway, rather than one more query per request."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("preference")
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
