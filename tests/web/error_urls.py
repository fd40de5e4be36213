"""The project's URLs and one that fails, to show the 500 page as a person would meet it."""

from django.urls import path

from billing_site.urls import urlpatterns as project_urlpatterns


def broken(request):
    raise RuntimeError("a bug reached the page")


urlpatterns = [path("broken/", broken), *project_urlpatterns]
