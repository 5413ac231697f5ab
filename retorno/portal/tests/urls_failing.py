"""The site's URLs plus views that fail or refuse, to see the failure pages (tests only)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns


def _fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def _database_gone(request: HttpRequest) -> HttpResponse:
    try:
        raise AttributeError("_session_cache")  # what Django's session store raises first
    except AttributeError as exc:
        raise OperationalError("the connection is closed") from exc


def _refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a forged header")


urlpatterns = [
    path("failing", _fail),
    path("api/v1/failing", _fail),
    path("database-gone", _database_gone),
    path("api/v1/database-gone", _database_gone),
    path("refused", _refuse),
    path("api/v1/refused", _refuse),
    path("suspicious", _suspicious),
    path("api/v1/suspicious", _suspicious),
    *site_urlpatterns,
]
