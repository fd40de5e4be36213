from django.urls import path

from accounts import views

urlpatterns = [path("language/", views.language_set, name="language")]
