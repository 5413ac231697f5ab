"""Benchmark settings: the production settings plus the floor routes and their table.

Only for `bench/run.py`; nothing in the application imports this module.
"""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
