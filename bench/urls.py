"""The application's URLs plus the two floor endpoints of the benchmark."""

from django.urls import path

from bench.floor import floor_read, floor_write
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path("bench/floor/orders/<str:external_id>", floor_read, name="bench-floor-read"),
    path("bench/floor/returns", floor_write, name="bench-floor-write"),
    *app_urlpatterns,
]
