from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from billing_site import health

admin.site.site_header = "Billing back office"
admin.site.site_title = "Billing back office"
admin.site.index_title = _("Contracts, schedules and invoices")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("accounts/", include("accounts.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("contracts/", include("contracts.urls")),
    path("customers/", include("contracts.customer_urls")),
    path("schedules/", include("schedules.urls")),
    path("posting-periods/", include("schedules.period_urls")),
    path("", include("invoicing.post_invoicing.urls")),
    path("", include("invoicing.urls")),
]
