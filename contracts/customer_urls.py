from django.urls import path

from contracts import customer_views

app_name = "customers"

urlpatterns = [
    path("", customer_views.customer_list, name="list"),
    path("new/", customer_views.customer_create, name="create"),
    path("<int:pk>/", customer_views.customer_detail, name="detail"),
    path("<int:pk>/edit/", customer_views.customer_edit, name="edit"),
]
