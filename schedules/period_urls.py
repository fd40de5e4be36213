from django.urls import path

from schedules import period_views

app_name = "posting_periods"

urlpatterns = [
    path("", period_views.posting_period_list, name="list"),
    path("close/", period_views.posting_period_close_view, name="close"),
    path("reopen/", period_views.posting_period_reopen_view, name="reopen"),
]
