from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/", include("api.v1.urls")),
    # Anything else under /api/ is a problem document too, not the site's HTML 404 page.
    # [\s\S], not ".": a path holding a newline is under /api/ too.
    re_path(r"^[\s\S]*$", views.not_found, name="not-found"),
]
