from django.urls import path

from contracts import editor_views, offset_views, views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="list"),
    path("new/", editor_views.contract_create, name="create"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/edit/", editor_views.contract_edit_view, name="edit"),
    path("<int:pk>/offset/", offset_views.contract_offset_edit, name="offset"),
    path("lines/<int:pk>/quantity/", views.line_quantity_change, name="line_quantity"),
]
