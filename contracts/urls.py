from django.urls import path

from contracts import offset_views, views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="list"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/offset/", offset_views.contract_offset_edit, name="offset"),
    path("lines/<int:pk>/quantity/", views.line_quantity_change, name="line_quantity"),
]
