"""The site's URLs plus two views that fail, to see the failure pages (tests only)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns


def _fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [
    path("failing", _fail),
    path("api/v1/failing", _fail),
    *site_urlpatterns,
]
