from django.contrib import admin
from django.urls import include, path

from retorno.api.v1.api import api as api_v1
from retorno.core.views import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api_v1.urls),
    path("health", health, name="health"),
    path("staff/", include("retorno.backoffice.urls")),
    path("", include("retorno.portal.urls")),
]
