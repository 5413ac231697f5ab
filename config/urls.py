from django.contrib import admin
from django.urls import include, path

from retorno.api.v1.api import api as api_v1
from retorno.backoffice.signin_forms import ThrottledAdminSignIn
from retorno.backoffice.views import admin_login
from retorno.core.views import health

# Password guessing on the admin's sign-in is throttled like the staff sign-in.
admin.site.login_form = ThrottledAdminSignIn

urlpatterns = [
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/", api_v1.urls),
    path("health", health, name="health"),
    path("staff/", include("retorno.backoffice.urls")),
    path("", include("retorno.portal.urls")),
]

# The site's error pages (problem+json under /api/); see retorno/portal/errors.py.
handler400 = "retorno.portal.errors.bad_request"
handler403 = "retorno.portal.errors.permission_denied"
handler404 = "retorno.portal.errors.page_not_found"
handler500 = "retorno.portal.errors.server_error"
