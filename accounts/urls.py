from django.urls import path

from accounts import api_key_views, views

urlpatterns = [
    path("language/", views.language_set, name="language"),
    path("api-keys/", api_key_views.api_key_list, name="api_keys"),
    path("api-keys/new/", api_key_views.api_key_create_view, name="api_key_create"),
    path("api-keys/<int:pk>/revoke/", api_key_views.api_key_revoke_view, name="api_key_revoke"),
]
